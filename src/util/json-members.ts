const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Where one top-level member's value lies in the bytes: `start` inclusive, `end` exclusive. */
export interface MemberRange {
  start: number;
  end: number;
}

const isSpace = (byte: number | undefined) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

function skipSpace(bytes: Uint8Array, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

/** The index after the string opening at `at`; -1 when it never closes. A quote after an odd run of backslashes is escaped. */
function skipString(bytes: Uint8Array, at: number): number {
  for (let from = at + 1; ; ) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index after the value starting at `at` (strings, nesting and scalars); -1 when it never ends. */
function skipValue(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return skipString(bytes, at);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let end = at;
    for (let byte = bytes[end]; byte !== undefined; byte = bytes[++end]) {
      if (byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || isSpace(byte)) break;
    }
    return end > at ? end : -1;
  }
  let depth = 0;
  for (let index = at; index < bytes.length; ) {
    const byte = bytes[index] as number;
    if (byte === QUOTE) {
      index = skipString(bytes, index);
      if (index < 0) return -1;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return index + 1;
    }
    index++;
  }
  return -1;
}

/**
 * The byte ranges of a JSON object's top-level member values, found by following its structure
 * (strings and nesting) without building any value: a few string searches per string, cheap next to a
 * parse. It does not validate: on a document JSON.parse accepts, the ranges are exactly its members'
 * values; on anything it cannot follow (not an object, unbalanced, a key given twice) it returns
 * undefined, and the caller parses the plain way, which reports the error. `knownEnd` may give a
 * member's end without walking it: where the bytes at `start` are a whole value seen before (an object,
 * array or string ends where its own bytes say, so equal bytes end at the same place).
 */
export function topLevelMembers(
  bytes: Uint8Array,
  knownEnd?: (name: string, start: number) => number | undefined,
): Map<string, MemberRange> | undefined {
  const members = new Map<string, MemberRange>();
  let at = skipSpace(bytes, 0);
  if (bytes[at] !== OPEN_OBJECT) return undefined;
  at = skipSpace(bytes, at + 1);
  if (bytes[at] === CLOSE_OBJECT) return members;
  for (;;) {
    if (bytes[at] !== QUOTE) return undefined;
    const keyEnd = skipString(bytes, at);
    if (keyEnd < 0) return undefined;
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + at, keyEnd - at).toString("utf8"));
    } catch {
      return undefined;
    }
    if (typeof key !== "string" || members.has(key)) return undefined;
    at = skipSpace(bytes, keyEnd);
    if (bytes[at] !== COLON) return undefined;
    const start = skipSpace(bytes, at + 1);
    const end = knownEnd?.(key, start) ?? skipValue(bytes, start);
    if (end < 0) return undefined;
    members.set(key, { start, end });
    at = skipSpace(bytes, end);
    if (bytes[at] === CLOSE_OBJECT) return members;
    if (bytes[at] !== COMMA) return undefined;
    at = skipSpace(bytes, at + 1);
  }
}

/**
 * The byte ranges of the elements of the array opening at `start`, and where it ends (exclusive);
 * undefined when it is not an array or cannot be followed. Like topLevelMembers it does not validate,
 * and on a document JSON.parse accepts the ranges are exactly the elements. `knownEnd` may give an
 * element's end without walking it, as topLevelMembers' does for a member.
 */
export function arrayElements(
  bytes: Uint8Array,
  start: number,
  knownEnd?: (index: number, at: number) => number | undefined,
): { elements: MemberRange[]; end: number } | undefined {
  if (bytes[start] !== OPEN_ARRAY) return undefined;
  const elements: MemberRange[] = [];
  let at = skipSpace(bytes, start + 1);
  if (bytes[at] === CLOSE_ARRAY) return { elements, end: at + 1 };
  for (;;) {
    const end = knownEnd?.(elements.length, at) ?? skipValue(bytes, at);
    if (end < 0) return undefined;
    elements.push({ start: at, end });
    at = skipSpace(bytes, end);
    if (bytes[at] === CLOSE_ARRAY) return { elements, end: at + 1 };
    if (bytes[at] !== COMMA) return undefined;
    at = skipSpace(bytes, at + 1);
  }
}
