import { hash } from "node:crypto";
import type { CanonicalRequest } from "../core/canonical.js";
import type { Lane } from "./lane.js";

/**
 * Who a request belongs to: a lane of a session (the main agent, a subagent, or side requests such as
 * title generation and other tool-less calls), and how the session was recognised.
 */
export interface SessionIdentity extends Lane {
  /** Where the session id came from. */
  source:
    | "switchyard-header"
    | "claude-code-header"
    | "metadata"
    | "x-session-id"
    | "goose-header"
    | "codex-header"
    | "fingerprint";
}

/**
 * `metadata.user_id` is a JSON string holding `session_id` in today's Claude Code, and
 * `user_…_account_…_session_<uuid>` in earlier ones. Only an object is parsed: a parse that fails throws,
 * which took 5 µs a turn against 0.2 µs for the whole look-up without it (warm, on the test machine).
 */
function sessionFromUserId(userId: string | undefined): string | undefined {
  if (!userId) return undefined;
  if (userId.trimStart().startsWith("{")) {
    try {
      const parsed = JSON.parse(userId) as { session_id?: unknown };
      if (typeof parsed.session_id === "string" && parsed.session_id) return parsed.session_id;
    } catch {}
  }
  const match = /session_([0-9a-f-]{8,})/i.exec(userId);
  return match?.[1];
}

export const BILLING_HEADER_PREFIX = "x-anthropic-billing-header:";

/** `<system-reminder>…</system-reminder>` blocks, each with the whitespace after it. */
const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>\s*/g;

/**
 * The fallback: a hash of what starts every request of a conversation (system prompt, first user turn).
 * The first turn's `<system-reminder>` blocks are left out: a client may send them with a request and
 * not keep them (Qwen Code adds the date to each prompt, and a session it resumes has the first prompt
 * without it), which would make a resumed conversation a new session on an empty slot.
 */
function prefixFingerprint(request: CanonicalRequest): string {
  const texts: string[] = [];
  for (const part of request.system) if (!part.text.startsWith(BILLING_HEADER_PREFIX)) texts.push(part.text);
  const first = request.messages.find((message) => message.role === "user");
  for (const part of first?.parts ?? []) if (part.type === "text") texts.push(part.text.replace(REMINDER, ""));
  // One-shot: the same digest as updating a hash with each text, without a Hash object per request.
  return `fp-${hash("sha256", texts.join("")).slice(0, 16)}`;
}

/**
 * Where a request came from (the client socket's address), for the ids that are only unique on one
 * machine: Goose numbers its sessions by day (`20261206_1`, in every Goose install alike), and two people
 * can open a conversation with the same system prompt and first message. Behind a gateway others share,
 * such an id is qualified by a client address that is not this machine's (`20261206_1@10.0.0.7`), so two
 * people's sessions are not one session on one slot. On loopback the id stays as the client sent it.
 */
function qualified(sessionId: string, address: string | undefined): string {
  if (!address || isLoopback(address)) return sessionId;
  return `${sessionId}@${address.startsWith("::ffff:") ? address.slice(7) : address}`;
}

const isLoopback = (address: string) =>
  address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");

export function identifySession(request: CanonicalRequest, clientAddress?: string): SessionIdentity {
  const headers = request.client.headers;
  // Named by whoever launched the client (switchyard eval), above what the client says of itself:
  // opencode sends its own x-session-id, which a provider header cannot replace.
  const named = headers[SESSION_HEADER];
  if (named) return laneOf(request, named, "switchyard-header");
  const fromHeader = headers["x-claude-code-session-id"];
  const fromMetadata = sessionFromUserId(request.client.userId);
  // x-session-id for any client; pi sends x-session-affinity when its provider asks for session affinity.
  const fromGeneric = headers["x-session-id"] ?? headers["x-session-affinity"];
  // Goose names its session on every request, whichever provider it speaks through.
  const fromGoose = headers["agent-session-id"];
  // Codex names its thread on every request (`session-id`, also in `prompt_cache_key`).
  const fromCodex = headers["session-id"];
  const [sessionId, source]: [string, SessionIdentity["source"]] = fromHeader
    ? [fromHeader, "claude-code-header"]
    : fromMetadata
      ? [fromMetadata, "metadata"]
      : fromGeneric
        ? [fromGeneric, "x-session-id"]
        : fromGoose
          ? [qualified(fromGoose, clientAddress), "goose-header"]
          : fromCodex
            ? [fromCodex, "codex-header"]
            : [qualified(prefixFingerprint(request), clientAddress), "fingerprint"];
  return laneOf(request, sessionId, source);
}

/** The session id a launcher gives a client's requests; it wins over every other way of telling. */
export const SESSION_HEADER = "x-switchyard-session-id";

/**
 * Codex's sub-agent: its requests name the root thread's session in `session-id` and the sub-agent's own
 * thread in `thread-id` (the same id on the root's own requests).
 */
function codexSubagent(headers: CanonicalRequest["client"]["headers"]): string | undefined {
  const thread = headers["thread-id"];
  return thread && headers["session-id"] && thread !== headers["session-id"] ? thread : undefined;
}

function laneOf(request: CanonicalRequest, sessionId: string, source: SessionIdentity["source"]): SessionIdentity {
  const agentId = request.client.headers["x-claude-code-agent-id"] ?? codexSubagent(request.client.headers);
  if (request.tools.length === 0) return { sessionId, name: "side", kind: "side", source };
  if (agentId) return { sessionId, name: `subagent:${agentId}`, kind: "subagent", source };
  return { sessionId, name: "main", kind: "main", source };
}
