import type { CanonicalMessage, CanonicalPart, CanonicalRequest, TextPart } from "../core/canonical.js";
import { joinText } from "../core/join-text.js";
import { rememberFrozen } from "../util/remember-frozen.js";
import { BILLING_HEADER_PREFIX } from "./session-identity.js";
import { noteMessage, takeTurnNote } from "./turn-note.js";

/**
 * Makes a request render the same way every turn, so the prompt a lane sends grows append-only:
 * - the billing header block (`x-anthropic-billing-header: cc_version=…; cch=…`) differs between the
 *   title request, the main agent and each subagent, and in some versions every request: it is dropped
 *   (it means nothing to a local model);
 * - tool-call inputs get a canonical key order, so a call renders identically however the client
 *   re-serialised it.
 * - adjacent text blocks of a message are joined into one, so a message that flips between a string and
 *   a block list (Claude Code does) is the same message either way.
 * - blocks kept whole (documents, search results) lose their moving `cache_control` marker, which the
 *   conversion drops from every other block.
 * - a client's per-request note (Goose's `<info-msg>`, `turn-note.ts`) is taken out of the history, and
 *   the request's own note sent as a user message of its own after the last user message.
 * Mid-conversation system messages stay where they stand.
 */
export function normalizeForCache(request: CanonicalRequest): CanonicalRequest {
  const messages: CanonicalMessage[] = [];
  let note: string | undefined;
  let afterLastUser = 0;
  let noteTaken = false;
  for (const message of request.messages) {
    const normalized = rememberFrozen(normalizedMessages, message, () => normalizeMessage(message));
    if (normalized.note !== undefined) note = normalized.note;
    // A message that held nothing but the note goes with it, and the two it stood between are one message
    // again, as the client has them (Goose splits an assistant turn's text from its tool call with it).
    if (normalized.note !== undefined && normalized.message.parts.length === 0) {
      noteTaken = true;
      continue;
    }
    const before = messages.at(-1);
    if (noteTaken && before?.role === normalized.message.role) {
      messages[messages.length - 1] = {
        ...before,
        parts: joinAdjacentText([...before.parts, ...normalized.message.parts]),
      };
    } else messages.push(normalized.message);
    noteTaken = false;
    if (message.role === "user") afterLastUser = messages.length;
  }
  if (note !== undefined) messages.splice(afterLastUser, 0, noteMessage(note));
  return {
    ...request,
    system: rememberFrozen(normalizedSystems, request.system, () =>
      request.system.filter((part) => !part.text.startsWith(BILLING_HEADER_PREFIX)),
    ),
    messages,
  };
}

/** A message made to render the same every turn, and the per-request note taken out of it, if any. */
interface NormalizedMessage {
  message: CanonicalMessage;
  note: string | undefined;
}

function normalizeMessage(message: CanonicalMessage): NormalizedMessage {
  const parts = joinAdjacentText(
    message.parts.map((part) => {
      if (part.type === "tool_call") return { ...part, input: sortKeys(part.input) as Record<string, unknown> };
      // A block kept whole keeps its moving `cache_control` marker too: it is not part of what it says.
      if (part.type === "opaque" && "cache_control" in part.raw) {
        const { cache_control: _marker, ...raw } = part.raw;
        return { ...part, raw };
      }
      return part;
    }),
  );
  if (message.role !== "user") return { message: { ...message, parts }, note: undefined };
  let note: string | undefined;
  const kept: CanonicalPart[] = [];
  for (const part of parts) {
    const taken = part.type === "text" ? takeTurnNote(part.text) : undefined;
    if (!taken) kept.push(part);
    else {
      note = taken.note;
      if (taken.rest) kept.push({ type: "text", text: taken.rest });
    }
  }
  return { message: { ...message, parts: note === undefined ? parts : kept }, note };
}

/** Normalized frozen messages and system prompts (the same objects while their bytes repeat). */
const normalizedMessages = new WeakMap<object, NormalizedMessage>();
const normalizedSystems = new WeakMap<object, TextPart[]>();

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function joinAdjacentText(parts: CanonicalPart[]): CanonicalPart[] {
  const out: CanonicalPart[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (part.type === "text" && last?.type === "text")
      out[out.length - 1] = { type: "text", text: joinText([last.text, part.text]) };
    else out.push(part);
  }
  return out;
}
