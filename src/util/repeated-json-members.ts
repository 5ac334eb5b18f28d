import { type MemberRange, topLevelMembers } from "./json-members.js";

interface Remembered {
  name: string;
  bytes: Buffer;
  value: unknown;
}

/** Freezes a value and everything in it; stops at what is frozen already. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
  return value;
}

const PLACEHOLDER = Buffer.from("0");

/**
 * Parses JSON object bodies whose big members come back byte for byte request after request, as an
 * agent's tool definitions do (Claude Code's are 78 KB of a 90 KB body, the same every turn): the
 * named top-level members, when their bytes equal ones seen before, are not parsed again but given
 * the value parsed then (deep-frozen, so the same object every time; code that converts it may
 * remember its conversion by identity). The rest of the body is parsed as usual, with a placeholder
 * where the remembered members stand, so a malformed body still fails with the parser's own error.
 * The result equals `parse(bytes)`. Holds the `capacity` values used last.
 */
export class RepeatedJsonMembers {
  /** By insertion order, oldest first: an entry is moved to the end when used. */
  private readonly remembered: Remembered[] = [];
  /** The rest of a body is put together here: a fresh buffer of that size each request costs more than the parse. */
  private scratch = Buffer.alloc(0);

  constructor(
    private readonly names: readonly string[],
    private readonly minBytes = 4096,
    private readonly capacity = 32,
  ) {}

  /** `parse` is the full parse (errors and limits included); it is given the whole body or the rest of it. */
  parse(bytes: Buffer, parse: (bytes: Buffer) => unknown): unknown {
    const hits = new Map<string, Remembered>();
    // A remembered value is skipped by comparing its bytes, not walked.
    const members = topLevelMembers(bytes, (name, start) => {
      const entry = this.names.includes(name) ? this.find(bytes, name, start) : undefined;
      if (!entry) return undefined;
      hits.set(name, entry);
      return start + entry.bytes.length;
    });
    if (!members) return parse(bytes);
    const value = hits.size === 0 ? parse(bytes) : this.parseRest(bytes, members, hits, parse);
    if (value === undefined) return parse(bytes);
    for (const name of this.names) {
      const range = members.get(name);
      if (!range || hits.has(name) || range.end - range.start < this.minBytes) continue;
      const member = (value as Record<string, unknown>)[name];
      this.remember({ name, bytes: Buffer.from(bytes.subarray(range.start, range.end)), value: deepFreeze(member) });
    }
    return value;
  }

  /** Parses the body with each hit replaced by a placeholder, then puts the remembered values in; undefined if that fails to line up. */
  private parseRest(
    bytes: Buffer,
    members: Map<string, MemberRange>,
    hits: Map<string, Remembered>,
    parse: (bytes: Buffer) => unknown,
  ): unknown {
    const ranges = [...hits.keys()].map((name) => members.get(name) as MemberRange).sort((a, b) => a.start - b.start);
    const pieces: Buffer[] = [];
    let at = 0;
    for (const range of ranges) {
      pieces.push(bytes.subarray(at, range.start), PLACEHOLDER);
      at = range.end;
    }
    pieces.push(bytes.subarray(at));
    const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    let written = 0;
    for (const piece of pieces) written += piece.copy(this.scratch, written);
    let value: unknown;
    try {
      // Parsing is synchronous and keeps nothing of the bytes, so the scratch buffer is free again after it.
      value = parse(this.scratch.subarray(0, length));
    } catch {
      // Thrown again by the whole body, so the error's positions are the client's.
      return parse(bytes);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const object = value as Record<string, unknown>;
    for (const name of hits.keys()) if (object[name] !== 0) return undefined;
    for (const [name, entry] of hits) object[name] = entry.value;
    return object;
  }

  /** The remembered value of `name` whose bytes stand at `start`; it starts with `{`, `[` or `"`, so it ends where they do. */
  private find(bytes: Buffer, name: string, start: number): Remembered | undefined {
    const index = this.remembered.findIndex((entry) => {
      const end = start + entry.bytes.length;
      return entry.name === name && end <= bytes.length && entry.bytes.compare(bytes, start, end) === 0;
    });
    const entry = this.remembered[index];
    if (!entry) return undefined;
    this.remembered.splice(index, 1);
    this.remembered.push(entry);
    return entry;
  }

  private remember(entry: Remembered): void {
    const first = entry.bytes[0];
    // Only values that end where their own bytes say (not numbers: "1" is a prefix of "12").
    if (first !== 0x7b && first !== 0x5b && first !== 0x22) return;
    this.remembered.push(entry);
    if (this.remembered.length > this.capacity) this.remembered.shift();
  }
}
