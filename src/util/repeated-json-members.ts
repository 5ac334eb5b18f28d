import { hash, randomBytes } from "node:crypto";
import { arrayElements, type MemberRange, topLevelMembers } from "./json-members.js";
import { deepFreeze } from "./remember-frozen.js";

/** A value parsed before, by the exact bytes it was parsed from. */
interface Remembered {
  bytes: Buffer;
  value: unknown;
  /** The member it was, for a whole member; undefined for an element. */
  member: string | undefined;
  /** An element's key in `elements`. */
  key?: string;
}

/** Versions of one member held at once: a session's tools, a subagent's, a title request's. */
const VERSIONS_PER_MEMBER = 8;

/** Where a remembered value stands in this body: a top-level member, or an element of one. */
interface Hit {
  range: MemberRange;
  name: string;
  index?: number;
  entry: Remembered;
}

export interface RepeatedJsonOptions {
  /** Top-level members remembered whole (tool definitions, the system prompt). */
  members: readonly string[];
  /** Top-level array members whose elements are remembered one by one (the messages of a conversation). */
  elementsOf: readonly string[];
  /** Smallest member worth remembering. */
  minMemberBytes?: number;
  /** Smallest element worth remembering. */
  minElementBytes?: number;
  /** Bytes of remembered text held at most; the values used longest ago go first. */
  capacityBytes?: number;
}

/**
 * Parses JSON object bodies whose parts come back byte for byte request after request, as an agent's
 * do: Claude Code sends the same 78 KB of tool definitions every turn, and a conversation that only
 * grows sends every earlier message again. Named top-level members, and elements of named array
 * members, whose bytes equal ones seen before are not parsed again but given the value parsed then
 * (deep-frozen, so the same object every time: code that converts it may remember its conversion by
 * identity). The rest of the body is parsed as usual, with a placeholder string where each remembered
 * value stands; the placeholders hold a random nonce no client can know, so finding each one exactly
 * where it was put proves the rest lined up. A malformed body fails with the parser's own error, on
 * the whole body. The result equals `parse(bytes)`.
 */
export class RepeatedJsonMembers {
  private readonly options: Required<RepeatedJsonOptions>;
  /** Whole members: few, each compared where its member starts. */
  private members: Remembered[] = [];
  /**
   * Elements, by a digest of their bytes (then compared byte for byte): one look-up each, however many
   * elements are held or share a length.
   */
  private readonly elements = new Map<string, Remembered>();
  /** Least recently used first. */
  private readonly used = new Set<Remembered>();
  private heldBytes = 0;
  private readonly nonce = randomBytes(12).toString("hex");
  /** The rest of a body is put together here: a fresh buffer of that size each request costs more than the parse. */
  private scratch = Buffer.alloc(0);

  constructor(options: RepeatedJsonOptions) {
    this.options = { minMemberBytes: 4096, minElementBytes: 64, capacityBytes: 16 * 1024 * 1024, ...options };
  }

  /** `parse` is the full parse (errors and limits included); it is given the whole body or the rest of it. */
  parse(bytes: Buffer, parse: (bytes: Buffer) => unknown): unknown {
    const { members: names, elementsOf } = this.options;
    const hits: Hit[] = [];
    // A remembered member is skipped by comparing its bytes, not walked.
    const members = topLevelMembers(bytes, (name, start) => {
      const entry = names.includes(name) ? this.findMember(bytes, name, start) : undefined;
      if (!entry) return undefined;
      const range = { start, end: start + entry.bytes.length };
      hits.push({ range, name, entry });
      return range.end;
    });
    if (!members) return parse(bytes);
    const misses: Array<{ range: MemberRange; name: string; index?: number; key?: string }> = [];
    for (const name of names) {
      const range = members.get(name);
      if (range && !hits.some((hit) => hit.name === name) && range.end - range.start >= this.options.minMemberBytes)
        misses.push({ range, name });
    }
    for (const name of elementsOf) {
      const range = members.get(name);
      const elements = range && arrayElements(bytes, range);
      for (const [index, element] of (elements ?? []).entries()) {
        if (element.end - element.start < this.options.minElementBytes) continue;
        const key = hash("sha1", bytes.subarray(element.start, element.end), "base64");
        const entry = this.findElement(bytes, element, key);
        if (entry) hits.push({ range: element, name, index, entry });
        else misses.push({ range: element, name, index, key });
      }
    }
    const value = hits.length === 0 ? parse(bytes) : this.parseRest(bytes, hits, parse);
    if (value === undefined) return parse(bytes);
    const object = value as Record<string, unknown>;
    for (const { range, name, index, key } of misses) {
      const member = index === undefined ? object[name] : (object[name] as unknown[])[index];
      this.remember({
        bytes: Buffer.from(bytes.subarray(range.start, range.end)),
        value: deepFreeze(member),
        member: index === undefined ? name : undefined,
        key,
      });
    }
    return value;
  }

  /** Parses the body with a placeholder for each hit, then puts the remembered values in; undefined if they do not line up. */
  private parseRest(bytes: Buffer, hits: Hit[], parse: (bytes: Buffer) => unknown): unknown {
    hits.sort((a, b) => a.range.start - b.range.start);
    const placeholder = (k: number) => `${this.nonce}:${k}`;
    const pieces: Buffer[] = [];
    let at = 0;
    for (const [k, { range }] of hits.entries()) {
      pieces.push(bytes.subarray(at, range.start), Buffer.from(`"${placeholder(k)}"`));
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
    for (const [k, { name, index }] of hits.entries()) {
      const holder = index === undefined ? object : object[name];
      const key = index ?? name;
      if (!Array.isArray(holder) && index !== undefined) return undefined;
      if ((holder as Record<string | number, unknown>)[key] !== placeholder(k)) return undefined;
    }
    for (const { name, index, entry } of hits) {
      if (index === undefined) object[name] = entry.value;
      else (object[name] as unknown[])[index] = entry.value;
    }
    return object;
  }

  /** The remembered member `name` whose bytes stand at `start`; it starts with `{`, `[` or `"`, so it ends where they do. */
  private findMember(bytes: Buffer, name: string, start: number): Remembered | undefined {
    const entry = this.members.find((candidate) => {
      const end = start + candidate.bytes.length;
      return candidate.member === name && end <= bytes.length && candidate.bytes.compare(bytes, start, end) === 0;
    });
    return entry && this.touch(entry);
  }

  private findElement(bytes: Buffer, range: MemberRange, key: string): Remembered | undefined {
    const entry = this.elements.get(key);
    return entry && entry.bytes.compare(bytes, range.start, range.end) === 0 ? this.touch(entry) : undefined;
  }

  private touch(entry: Remembered): Remembered {
    this.used.delete(entry);
    this.used.add(entry);
    return entry;
  }

  private remember(entry: Remembered): void {
    const first = entry.bytes[0];
    // Only values that end where their own bytes say (not numbers: "1" is a prefix of "12").
    if (first !== 0x7b && first !== 0x5b && first !== 0x22) return;
    if (entry.member !== undefined) {
      // A few versions of each member at most (a client whose tools change every request leaves only its latest).
      const same = [...this.used].filter((other) => other.member === entry.member);
      if (same.length >= VERSIONS_PER_MEMBER && same[0]) this.forget(same[0]);
      this.members.push(entry);
    } else if (entry.key !== undefined && !this.elements.has(entry.key)) this.elements.set(entry.key, entry);
    else return;
    this.used.add(entry);
    this.heldBytes += entry.bytes.length;
    for (const oldest of this.used) {
      if (this.heldBytes <= this.options.capacityBytes) break;
      this.forget(oldest);
    }
  }

  private forget(entry: Remembered): void {
    this.used.delete(entry);
    this.heldBytes -= entry.bytes.length;
    if (entry.member !== undefined) this.members = this.members.filter((other) => other !== entry);
    else if (entry.key !== undefined) this.elements.delete(entry.key);
  }
}
