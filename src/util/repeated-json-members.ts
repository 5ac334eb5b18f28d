import { hash, randomBytes } from "node:crypto";
import { arrayElements, type MemberRange, topLevelMembers } from "./json-members.js";
import { deepFreeze } from "./remember-frozen.js";

/** A value parsed before, by the exact bytes it was parsed from. */
interface Remembered {
  /** Emptied when forgotten (a list of a conversation's messages may still hold the entry). */
  bytes: Buffer;
  value: unknown;
  /** The member it was, for a whole member; undefined for an element. */
  member: string | undefined;
  /** An element's key in `elements`; undefined for one found only in its conversation's list. */
  key?: string;
  forgotten?: boolean;
}

const EMPTY = Buffer.alloc(0);

/** A copy in memory of its own (a small Buffer.from would share, and keep alive, an 8 KB slab of Buffer's pool). */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Versions of one member held at once: a session's tools, a subagent's, a title request's. */
const VERSIONS_PER_MEMBER = 8;
/** Element lists held at once: the last request of each of this many conversations (a session's lanes, its subagents). */
const LISTS_HELD = 16;

/** Where a remembered value stands in this body: a top-level member, or an element of one. */
interface Hit {
  range: MemberRange;
  name: string;
  index?: number;
  entry: Remembered;
}

/** The leading run of an array member's elements found in its list: cut from the bytes parsed, put back after. */
interface Cut {
  name: string;
  range: MemberRange;
  values: unknown[];
}

/** An array member's elements, as walked: the entry each one matched in the list it continues, if any. */
interface WalkedArray {
  elements: MemberRange[];
  matched: Array<Remembered | undefined>;
  /** The list it continued, replaced by this body's. */
  continued: Remembered[] | undefined;
}

export interface RepeatedJsonOptions {
  /** Top-level members remembered whole (tool definitions, the system prompt). */
  members: readonly string[];
  /** Top-level array members whose elements are remembered one by one (the messages of a conversation). */
  elementsOf: readonly string[];
  /** Smallest member worth remembering. */
  minMemberBytes?: number;
  /** Smallest element worth finding by its digest (any element is remembered in its conversation's list). */
  minElementBytes?: number;
  /** Bytes of remembered text held at most; the values used longest ago go first. */
  capacityBytes?: number;
}

/**
 * Parses JSON object bodies whose parts come back byte for byte request after request, as an agent's
 * do: Claude Code sends the same 78 KB of tool definitions every turn, and a conversation that only
 * grows sends every earlier message again. Named top-level members, and elements of named array
 * members, whose bytes equal ones seen before are not parsed again but given the value parsed then
 * (deep-frozen, so the same object every time: code that converts it may remember its conversation by
 * identity).
 *
 * An array's elements are first compared, one by one in place, with the list of the last request
 * whose first element this one's equals (the conversation it continues): those are neither walked
 * nor digested, and the leading run of them is cut from the bytes that are parsed. Elements past that
 * are walked and found by a digest of their bytes. The rest of the body is parsed as usual, with a
 * placeholder string where each other remembered value stands; the placeholders hold a random nonce
 * no client can know, so finding each one exactly where it was put proves the rest lined up. (A cut
 * run of whole values each followed by a comma, right after the array's `[`, leaves a document that
 * parses exactly when the whole one does.) A malformed body fails with the parser's own error, on the
 * whole body. The result equals `parse(bytes)`.
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
  /** Recent bodies' element lists per array member, latest last. */
  private readonly lists = new Map<string, Remembered[][]>();
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
    const walked = new Map<string, WalkedArray>();
    // A remembered member is skipped by comparing its bytes, not walked; so are the elements of an
    // array that continue a list seen before.
    const members = topLevelMembers(bytes, (name, start) => {
      if (elementsOf.includes(name)) return this.walkArray(bytes, name, start, walked);
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
    /** Per array member, its leading run found in its list. */
    const cuts: Cut[] = [];
    for (const [name, { elements, matched }] of walked) {
      let leading = 0;
      while (matched[leading]) leading++;
      if (leading > 0) {
        const range = {
          start: (elements[0] as MemberRange).start,
          end:
            leading < elements.length
              ? (elements[leading] as MemberRange).start
              : (elements[leading - 1] as MemberRange).end,
        };
        cuts.push({ name, range, values: matched.slice(0, leading).map((entry) => (entry as Remembered).value) });
      }
      for (let index = leading; index < elements.length; index++) {
        const element = elements[index] as MemberRange;
        const known = matched[index];
        if (known) {
          hits.push({ range: element, name, index, entry: known });
          continue;
        }
        if (element.end - element.start < this.options.minElementBytes) {
          misses.push({ range: element, name, index });
          continue;
        }
        const key = hash("sha1", bytes.subarray(element.start, element.end), "base64");
        const entry = this.findElement(bytes, element, key);
        if (entry) {
          matched[index] = entry;
          hits.push({ range: element, name, index, entry });
        } else misses.push({ range: element, name, index, key });
      }
    }
    const value = hits.length === 0 && cuts.length === 0 ? parse(bytes) : this.parseRest(bytes, hits, cuts, parse);
    if (value === undefined) return parse(bytes);
    const object = value as Record<string, unknown>;
    for (const { range, name, index, key } of misses) {
      const member = index === undefined ? object[name] : (object[name] as unknown[])[index];
      const entry = this.remember({
        bytes: ownCopy(bytes.subarray(range.start, range.end)),
        value: deepFreeze(member),
        member: index === undefined ? name : undefined,
        key,
      });
      if (index !== undefined) (walked.get(name) as WalkedArray).matched[index] = entry;
    }
    for (const [name, array] of walked) this.keepList(name, array);
    return value;
  }

  /**
   * Walks the array member `name` opening at `start`, comparing each element in place with the same
   * element of the list this one continues (the latest whose first element is this one's first).
   */
  private walkArray(bytes: Buffer, name: string, start: number, walked: Map<string, WalkedArray>): number | undefined {
    const lists = this.lists.get(name) ?? [];
    const matched: Array<Remembered | undefined> = [];
    let continued: Remembered[] | undefined;
    const found = arrayElements(bytes, start, (index, at) => {
      if (index === 0) continued = lists.findLast((list) => list[0] !== undefined && this.sameAt(list[0], bytes, at));
      const entry = continued?.[index];
      // The first was compared in choosing the list.
      if (!entry || (index > 0 && !this.sameAt(entry, bytes, at))) return undefined;
      matched[index] = this.touch(entry);
      return at + entry.bytes.length;
    });
    if (!found) return undefined;
    walked.set(name, { elements: found.elements, matched, continued });
    return found.end;
  }

  /** Whether the remembered value's bytes stand at `at` (a value held in a list may have been forgotten since). */
  private sameAt(entry: Remembered, bytes: Buffer, at: number): boolean {
    const end = at + entry.bytes.length;
    return !entry.forgotten && end <= bytes.length && entry.bytes.compare(bytes, at, end) === 0;
  }

  /** Keeps this body's elements, up to the first not remembered, as the list of its conversation. */
  private keepList(name: string, { elements, matched, continued }: WalkedArray): void {
    const list: Remembered[] = [];
    for (let index = 0; index < elements.length && matched[index]; index++) list.push(matched[index] as Remembered);
    const lists = (this.lists.get(name) ?? []).filter((other) => other !== continued);
    if (list.length > 0) lists.push(list);
    if (lists.length > LISTS_HELD) lists.shift();
    this.lists.set(name, lists);
  }

  /** Parses the body with each cut run left out and a placeholder for each hit, then puts the remembered values in; undefined if they do not line up. */
  private parseRest(bytes: Buffer, hits: Hit[], cuts: Cut[], parse: (bytes: Buffer) => unknown): unknown {
    const replaced = [
      ...hits.map((hit, k) => ({ range: hit.range, text: `"${this.nonce}:${k}"` })),
      ...cuts.map((cut) => ({ range: cut.range, text: "" })),
    ].sort((a, b) => a.range.start - b.range.start);
    let length = bytes.length;
    for (const { range, text } of replaced) length += text.length - (range.end - range.start);
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    let written = 0;
    let at = 0;
    for (const { range, text } of replaced) {
      written += bytes.copy(this.scratch, written, at, range.start);
      written += this.scratch.write(text, written, "latin1");
      at = range.end;
    }
    written += bytes.copy(this.scratch, written, at);
    let value: unknown;
    try {
      // Parsing is synchronous and keeps nothing of the bytes, so the scratch buffer is free again after it.
      value = parse(this.scratch.subarray(0, written));
    } catch {
      // Thrown again by the whole body, so the error's positions are the client's.
      return parse(bytes);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const object = value as Record<string, unknown>;
    const cutOf = (name: string) => cuts.find((cut) => cut.name === name)?.values.length ?? 0;
    for (const [k, { name, index }] of hits.entries()) {
      const holder = index === undefined ? object : object[name];
      const key = index === undefined ? name : index - cutOf(name);
      if (!Array.isArray(holder) && index !== undefined) return undefined;
      if ((holder as Record<string | number, unknown>)[key] !== `${this.nonce}:${k}`) return undefined;
    }
    for (const { name, values } of cuts) {
      const rest = object[name];
      if (!Array.isArray(rest)) return undefined;
      object[name] = values.concat(rest);
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

  /** The entry as held (the one held already for the same bytes), or undefined when it is not held. */
  private remember(entry: Remembered): Remembered | undefined {
    const first = entry.bytes[0];
    // Only values that end where their own bytes say (not numbers: "1" is a prefix of "12").
    if (first !== 0x7b && first !== 0x5b && first !== 0x22) return undefined;
    if (entry.member !== undefined) {
      // A few versions of each member at most (a client whose tools change every request leaves only its latest).
      const same = [...this.used].filter((other) => other.member === entry.member);
      if (same.length >= VERSIONS_PER_MEMBER && same[0]) this.forget(same[0]);
      this.members.push(entry);
    } else if (entry.key !== undefined) {
      const held = this.elements.get(entry.key);
      if (held) return held.bytes.equals(entry.bytes) ? held : undefined;
      this.elements.set(entry.key, entry);
    }
    this.used.add(entry);
    this.heldBytes += entry.bytes.length;
    for (const oldest of this.used) {
      if (this.heldBytes <= this.options.capacityBytes) break;
      this.forget(oldest);
    }
    return entry.forgotten ? undefined : entry;
  }

  private forget(entry: Remembered): void {
    this.used.delete(entry);
    this.heldBytes -= entry.bytes.length;
    if (entry.member !== undefined) this.members = this.members.filter((other) => other !== entry);
    else if (entry.key !== undefined) this.elements.delete(entry.key);
    // A list may still hold it: it no longer matches, and its bytes and value are let go.
    entry.forgotten = true;
    entry.bytes = EMPTY;
    entry.value = undefined;
  }
}
