import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonBytes } from "./parse-json-bytes.js";

const plain = (bytes: Buffer) => JSON.parse(bytes.toString("utf8"));

/** Leading spaces that take a body past the size below which the plain path is always taken. */
const LARGE = Buffer.alloc(48 * 1024, 0x20);

/** Same value or same error message as the plain path, for the body as it is and made large. */
function expectSameAsPlain(bytes: Buffer): void {
  expectSame(bytes);
  expectSame(Buffer.concat([LARGE, bytes]));
}

function expectSame(bytes: Buffer): void {
  let expected: unknown;
  let expectedError: string | undefined;
  try {
    expected = plain(bytes);
  } catch (error) {
    expectedError = (error as Error).message;
  }
  if (expectedError !== undefined) expect(() => parseJsonBytes(bytes)).toThrow(expectedError);
  else expect(JSON.stringify(parseJsonBytes(bytes))).toBe(JSON.stringify(expected));
}

const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures", "claude-code", "claude-code-2.1.197");

describe("parseJsonBytes", () => {
  it("reads every recorded Claude Code request as JSON.parse of its UTF-8 text does", () => {
    for (const session of readdirSync(FIXTURES, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      for (const file of readdirSync(join(FIXTURES, session.name)).filter((name) => name.endsWith(".json"))) {
        const body = (JSON.parse(readFileSync(join(FIXTURES, session.name, file), "utf8")) as { body: unknown }).body;
        expectSameAsPlain(Buffer.from(JSON.stringify(body)));
      }
    }
  });
  it("agrees with the plain path on any JSON value, keys and escapes included", () => {
    const text = fc.string({ unit: "binary" });
    const value = fc.jsonValue({ maxDepth: 3 }).chain((json) => fc.tuple(fc.constant(json), text, text));
    fc.assert(
      fc.property(value, ([json, key, string]) => {
        const document = { [key]: string, nested: [json, { [string]: key }] };
        expectSameAsPlain(Buffer.from(JSON.stringify(document)));
        // Non-ASCII written as escapes, as some clients send it.
        expectSameAsPlain(
          Buffer.from(
            JSON.stringify(document).replace(
              /[\u0080-\uffff]/g,
              (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
            ),
          ),
        );
      }),
      { numRuns: 2000 },
    );
  });
  it("agrees with the plain path on arbitrary bytes, broken UTF-8 and invalid JSON included", () => {
    const piece = fc.oneof(
      fc
        .constantFrom('{"a":"', '"', "}", "[", "]", ",", ":", "\\u00e9", "\\u0041", "\\", " ", "\u00a0", "—", "🤖")
        .map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.boolean(), (pieces, wrap) => {
        const bytes = Buffer.concat(pieces);
        expectSameAsPlain(wrap ? Buffer.concat([Buffer.from('{"x":"'), bytes, Buffer.from('"}')]) : bytes);
      }),
      { numRuns: 5000 },
    );
  });
  it("keeps key order when a key holds non-ASCII characters", () => {
    const value = parseJsonBytes(Buffer.concat([LARGE, Buffer.from('{"a":1,"é":2,"b":"—"}')])) as Record<
      string,
      unknown
    >;
    expect(Object.keys(value)).toEqual(["a", "é", "b"]);
    expect(value).toEqual({ a: 1, é: 2, b: "—" });
  });
});
