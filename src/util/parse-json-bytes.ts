import { isAscii } from "node:buffer";

const BACKSLASH = 0x5c;
const U = 0x75;
const ZERO = 0x30;
const SEVEN = 0x37;
const HIGH = /[\x80-\xff]/;
/** Two bytes a character: up to here, the decoded body stays below V8's large-object size (128 KiB). */
const PLAIN_BELOW_BYTES = 48 * 1024;

/** True when every `\u` escape writes a character below U+0080 (`\u0000`–`\u007f`). */
function escapesStayAscii(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(BACKSLASH); at >= 0; at = bytes.indexOf(BACKSLASH, at + 2)) {
    if (bytes[at + 1] !== U) continue;
    const [a, b, c] = [bytes[at + 2], bytes[at + 3], bytes[at + 4]];
    if (a !== ZERO || b !== ZERO || c === undefined || c < ZERO || c > SEVEN) return false;
  }
  return true;
}

const utf8Again = (text: string) => (HIGH.test(text) ? Buffer.from(text, "latin1").toString("utf8") : text);

/** Turns every string (keys too) read byte-per-character back into the UTF-8 it was, in place where it can. */
function decodeStrings(value: unknown): unknown {
  if (typeof value === "string") return utf8Again(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = decodeStrings(value[index]);
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  // A key that changes is rare; rebuilding the object keeps the key order.
  if (keys.some((key) => HIGH.test(key))) {
    return Object.fromEntries(keys.map((key) => [utf8Again(key), decodeStrings(object[key])]));
  }
  for (const key of keys) {
    const item = object[key];
    if (typeof item === "string" || (typeof item === "object" && item !== null)) object[key] = decodeStrings(item);
  }
  return object;
}

/**
 * JSON.parse of UTF-8 bytes, giving exactly what `JSON.parse(bytes.toString("utf8"))` gives (errors
 * included) but faster for large bodies with a few non-ASCII characters, as agents send: decoded whole,
 * a 90 KB body with one "—" becomes a 180 KB two-byte string, which V8 allocates in fresh pages of its
 * large-object space (~0.7 ms here, most of it page faults), then frees. Read one byte per character
 * instead (JSON's syntax is ASCII; bytes of multi-byte characters land only inside strings), then
 * decode the few strings holding such bytes. Bodies whose `\u` escapes write non-ASCII characters take
 * the plain path, since those would be indistinguishable from bytes read that way. So do bodies below
 * PLAIN_BELOW_BYTES, whose string V8 keeps in its ordinary pages: there, decoding the strings again costs
 * more than it saves.
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  if (isAscii(bytes)) return JSON.parse(bytes.toString("latin1"));
  if (bytes.length < PLAIN_BELOW_BYTES) return JSON.parse(bytes.toString("utf8"));
  if (!escapesStayAscii(bytes)) return JSON.parse(bytes.toString("utf8"));
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("latin1"));
  } catch {
    // Throws again, with positions counted in characters as the plain path counts them.
    return JSON.parse(bytes.toString("utf8"));
  }
  return decodeStrings(value);
}
