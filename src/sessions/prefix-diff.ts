import type { CanonicalPart, CanonicalRequest } from "../core/canonical.js";
import { sameJson } from "../util/same-json.js";
import { withoutTrailingNote } from "./turn-note.js";

/** One place where a lane's request stopped extending the previous one. */
export interface Divergence {
  /** Where, in the client's terms: `system[1]`, `tools`, `messages[3]`, `messages[3].content[0]`. */
  path: string;
  /** A short excerpt of both sides around the first differing character. */
  before: string;
  after: string;
}

const partText = (part: CanonicalPart | undefined) => (part === undefined ? "(absent)" : JSON.stringify(part));

function excerpt(a: string, b: string): { before: string; after: string } {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  const start = Math.max(0, index - 30);
  const cut = (text: string) =>
    `${start > 0 ? "…" : ""}${text.slice(start, index + 50)}${text.length > index + 50 ? "…" : ""}`;
  return { before: cut(a), after: cut(b) };
}

/**
 * Compares a lane's previous request with the current one (both normalized). Undefined when the current
 * one extends the previous: same system prompt and tools, every earlier message unchanged, new messages
 * (or new blocks of the previous request's last message) only appended. A per-request note the previous
 * request ended with (`turn-note.ts`) is not history: the next request replaces it.
 */
export function findDivergence(previous: CanonicalRequest, current: CanonicalRequest): Divergence | undefined {
  const system = (request: CanonicalRequest) => request.system.map((part) => part.text);
  const [oldSystem, newSystem] = [system(previous), system(current)];
  for (let index = 0; index < Math.max(oldSystem.length, newSystem.length); index++) {
    if (oldSystem[index] !== newSystem[index]) {
      return { path: `system[${index}]`, ...excerpt(oldSystem[index] ?? "(absent)", newSystem[index] ?? "(absent)") };
    }
  }
  // Compared without serialising: the texts are built only to show where they differ.
  if (!sameJson(previous.tools, current.tools)) {
    return { path: "tools", ...excerpt(JSON.stringify(previous.tools), JSON.stringify(current.tools)) };
  }
  const history = withoutTrailingNote(previous).messages;
  for (const [index, message] of history.entries()) {
    const next = current.messages[index];
    if (!next) return { path: `messages[${index}]`, before: `${message.role} message`, after: "(removed)" };
    if (next.role !== message.role) {
      return { path: `messages[${index}].role`, before: message.role, after: next.role };
    }
    for (let part = 0; part < message.parts.length; part++) {
      const [a, b] = [message.parts[part], next.parts[part]];
      if (!sameJson(a, b)) return { path: `messages[${index}].content[${part}]`, ...excerpt(partText(a), partText(b)) };
    }
    // Blocks added to the previous request's last message extend it: that message had not been answered
    // (Claude Code's /compact appends its summary prompt to the last tool-result message).
    const last = index === history.length - 1;
    if (next.parts.length !== message.parts.length && !(last && next.parts.length > message.parts.length)) {
      return {
        path: `messages[${index}].content[${message.parts.length}]`,
        before: "(absent)",
        after: partText(next.parts[message.parts.length]),
      };
    }
  }
  return undefined;
}
