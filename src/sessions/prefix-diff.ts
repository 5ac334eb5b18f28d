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
 * Where a request stops extending a previous one, by position: a system part, the tools, a message that is
 * gone or has another role, or a message's block (`part` may be one past the previous message's last
 * block: the current one holds more there, which only the last message may).
 */
export type DivergencePoint =
  | { in: "system"; index: number }
  | { in: "tools" }
  | { in: "message"; index: number; removed: boolean }
  | { in: "block"; index: number; part: number };

/**
 * Compares a previous request with the current one (both normalized), as `findDivergence` does, and says
 * where they part; undefined when the current one extends the previous.
 */
export function divergencePoint(previous: CanonicalRequest, current: CanonicalRequest): DivergencePoint | undefined {
  for (let index = 0; index < Math.max(previous.system.length, current.system.length); index++) {
    if (previous.system[index]?.text !== current.system[index]?.text) return { in: "system", index };
  }
  if (!sameJson(previous.tools, current.tools)) return { in: "tools" };
  const history = withoutTrailingNote(previous).messages;
  for (const [index, message] of history.entries()) {
    const next = current.messages[index];
    if (next?.role !== message.role) return { in: "message", index, removed: !next };
    for (let part = 0; part < message.parts.length; part++) {
      if (!sameJson(message.parts[part], next.parts[part])) return { in: "block", index, part };
    }
    // Blocks added to the previous request's last message extend it: that message had not been answered
    // (Claude Code's /compact appends its summary prompt to the last tool-result message).
    const last = index === history.length - 1;
    if (next.parts.length !== message.parts.length && !(last && next.parts.length > message.parts.length)) {
      return { in: "block", index, part: message.parts.length };
    }
  }
  return undefined;
}

/**
 * Compares a lane's previous request with the current one (both normalized). Undefined when the current
 * one extends the previous: same system prompt and tools, every earlier message unchanged, new messages
 * (or new blocks of the previous request's last message) only appended. A per-request note the previous
 * request ended with (`turn-note.ts`) is not history: the next request replaces it.
 */
export function findDivergence(previous: CanonicalRequest, current: CanonicalRequest): Divergence | undefined {
  const point = divergencePoint(previous, current);
  if (!point) return undefined;
  switch (point.in) {
    case "system": {
      const [before, after] = [previous, current].map((request) => request.system[point.index]?.text ?? "(absent)");
      return { path: `system[${point.index}]`, ...excerpt(before as string, after as string) };
    }
    case "tools":
      // Compared without serialising: the texts are built only to show where they differ.
      return { path: "tools", ...excerpt(JSON.stringify(previous.tools), JSON.stringify(current.tools)) };
    case "message": {
      const role = previous.messages[point.index]?.role;
      const path = `messages[${point.index}]`;
      if (point.removed) return { path, before: `${role} message`, after: "(removed)" };
      return { path: `${path}.role`, before: role as string, after: current.messages[point.index]?.role as string };
    }
    case "block": {
      const a = previous.messages[point.index]?.parts[point.part];
      const b = current.messages[point.index]?.parts[point.part];
      const path = `messages[${point.index}].content[${point.part}]`;
      return a === undefined
        ? { path, before: "(absent)", after: partText(b) }
        : { path, ...excerpt(partText(a), partText(b)) };
    }
  }
}
