import { rememberFrozen } from "./remember-frozen.js";

/** How deep the value is taken apart before nested values are serialised whole. */
const SPLIT_DEPTH = 3;
/** Pieces are gathered into strings of about this many characters before they become bytes. */
const BATCH_CHARACTERS = 16_384;

const omitted = (value: unknown) => value === undefined || typeof value === "function" || typeof value === "symbol";

/** Frozen values written before, which cannot have changed (see RepeatedJsonMembers): large ones as bytes, small ones as text to batch. */
const frozenJson = new WeakMap<object, string | Buffer>();
/** From this many characters, a frozen value's JSON is kept as bytes: encoded once rather than once a request. */
const FROZEN_BYTES_FROM = 4096;

const jsonOfFrozen = (value: object) =>
  rememberFrozen(frozenJson, value, () => {
    const text = JSON.stringify(value);
    return text.length >= FROZEN_BYTES_FROM ? Buffer.from(text) : text;
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
 * The UTF-8 bytes of `JSON.stringify(value)` (a value JSON can write), written piece by piece. A
 * 90 KB upstream body with a few non-ASCII characters is, as one string, a 180 KB two-byte string that
 * V8 allocates in fresh large-object pages and then encodes again; built from its nested values in
 * batches of a few KB, no string that large exists. A frozen value is written once and its bytes reused.
 */
export function jsonBytes(value: unknown): Buffer {
  const pieces: Array<string | Buffer> = [];
  writePieces(value, SPLIT_DEPTH, pieces);
  const buffers: Buffer[] = [];
  let batch = "";
  let length = 0;
  const flush = () => {
    const bytes = Buffer.from(batch);
    buffers.push(bytes);
    length += bytes.length;
    batch = "";
  };
  for (const piece of pieces) {
    if (typeof piece !== "string") {
      flush();
      buffers.push(piece);
      length += piece.length;
      continue;
    }
    batch += piece;
    if (batch.length >= BATCH_CHARACTERS) flush();
  }
  flush();
  return buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers, length);
}
