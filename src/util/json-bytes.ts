import { rememberFrozen } from "./remember-frozen.js";

/** How deep the value is taken apart before nested values are serialised whole. */
const SPLIT_DEPTH = 3;

const omitted = (value: unknown) => value === undefined || typeof value === "function" || typeof value === "symbol";

/** Frozen values written before, which cannot have changed (see RepeatedJsonMembers), as their bytes. */
const frozenJson = new WeakMap<object, Buffer>();

/** Each in a buffer of its own: a small one from Buffer's shared pool would keep the pool's whole 8 KB slab alive. */
const jsonOfFrozen = (value: object) =>
  rememberFrozen(frozenJson, value, () => {
    const text = JSON.stringify(value);
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    return bytes;
  });

function writePieces(value: unknown, depth: number, pieces: Array<string | Buffer>): void {
  if (typeof value === "object" && value !== null && Object.isFrozen(value)) {
    pieces.push(jsonOfFrozen(value));
    return;
  }
  const splittable =
    depth > 0 &&
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function";
  if (!splittable) {
    pieces.push(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    pieces.push("[");
    for (let index = 0; index < value.length; index++) {
      if (index > 0) pieces.push(",");
      const item: unknown = value[index];
      if (omitted(item)) pieces.push("null");
      else writePieces(item, depth - 1, pieces);
    }
    pieces.push("]");
    return;
  }
  const object = value as Record<string, unknown>;
  let first = true;
  pieces.push("{");
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (omitted(item)) continue;
    pieces.push(`${first ? "" : ","}${JSON.stringify(key)}:`);
    first = false;
    writePieces(item, depth - 1, pieces);
  }
  pieces.push("}");
}

/**
 * The UTF-8 bytes of `JSON.stringify(value)` (a value JSON can write), written piece by piece into one
 * buffer of the exact length. A 90 KB upstream body with a few non-ASCII characters is, as one string,
 * a 180 KB two-byte string that V8 allocates in fresh large-object pages and then encodes again; taken
 * apart to its nested values, no string that large exists. A frozen value is written once and its bytes
 * copied after that, so a long conversation's earlier messages are not encoded again each turn.
 */
export function jsonBytes(value: unknown): Buffer {
  const pieces: Array<string | Buffer> = [];
  writePieces(value, SPLIT_DEPTH, pieces);
  let length = 0;
  for (const piece of pieces) length += typeof piece === "string" ? Buffer.byteLength(piece) : piece.length;
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const piece of pieces) at += typeof piece === "string" ? bytes.write(piece, at) : piece.copy(bytes, at);
  return bytes;
}
