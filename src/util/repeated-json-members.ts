import { type MemberRange, topLevelMembers } from "./json-members.js";

interface Remembered {
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
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    private readonly names: readonly string[],
    private readonly minBytes = 4096,
    private readonly capacity = 32,
  ) {}

  /** `parse` is the full parse (errors and limits included); it is given the whole body or the rest of it. */
  parse(bytes: Buffer, parse: (bytes: Buffer) => unknown): unknown {
    const members = topLevelMembers(bytes);
    if (!members) return parse(bytes);
    const hits: Array<{ name: string; range: MemberRange; entry: Remembered }> = [];
    const misses: Array<{ name: string; range: MemberRange }> = [];
    for (const name of this.names) {
      const range = members.get(name);
      if (!range || range.end - range.start < this.minBytes) continue;
      const entry = this.find(bytes, name, range);
      if (entry) hits.push({ name, range, entry });
      else misses.push({ name, range });
    }
    const value = hits.length === 0 ? parse(bytes) : this.parseRest(bytes, hits, parse);
    if (value === undefined) return parse(bytes);
    for (const { name, range } of misses) {
      const member = (value as Record<string, unknown>)[name];
      this.remember(name, Buffer.from(bytes.subarray(range.start, range.end)), deepFreeze(member));
    }
    return value;
  }

  /** Parses the body with each hit replaced by a placeholder, then puts the remembered values in; undefined if that fails to line up. */
  private parseRest(
    bytes: Buffer,
    hits: Array<{ name: string; range: MemberRange; entry: Remembered }>,
    parse: (bytes: Buffer) => unknown,
  ): unknown {
    hits.sort((a, b) => a.range.start - b.range.start);
    const pieces: Buffer[] = [];
    let at = 0;
    for (const { range } of hits) {
      pieces.push(bytes.subarray(at, range.start), PLACEHOLDER);
      at = range.end;
    }
    pieces.push(bytes.subarray(at));
    let value: unknown;
    try {
      value = parse(Buffer.concat(pieces));
    } catch {
      // Thrown again by the whole body, so the error's positions are the client's.
      return parse(bytes);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const object = value as Record<string, unknown>;
    if (hits.some(({ name }) => object[name] !== 0)) return undefined;
    for (const { name, entry } of hits) object[name] = entry.value;
    return object;
  }

  private key(name: string, length: number): string {
    return `${name}\u0000${length}`;
  }

  private find(bytes: Buffer, name: string, range: MemberRange): Remembered | undefined {
    const key = this.key(name, range.end - range.start);
    const entry = this.remembered.get(key);
    if (!entry || entry.bytes.compare(bytes, range.start, range.end) !== 0) return undefined;
    // Used last, evicted last.
    this.remembered.delete(key);
    this.remembered.set(key, entry);
    return entry;
  }

  private remember(name: string, bytes: Buffer, value: unknown): void {
    const key = this.key(name, bytes.length);
    this.remembered.delete(key);
    this.remembered.set(key, { bytes, value });
    while (this.remembered.size > this.capacity) {
      const oldest = this.remembered.keys().next().value as string;
      this.remembered.delete(oldest);
    }
  }
}
