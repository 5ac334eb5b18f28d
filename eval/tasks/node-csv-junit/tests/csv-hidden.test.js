import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCsvLine } from "../../src/csv.js";

test("a quoted field holds a comma", () => {
  assert.deepEqual(parseCsvLine('a,"b,c",d'), ["a", "b,c", "d"]);
});
test("a doubled quote is one quote", () => {
  assert.deepEqual(parseCsvLine('"say ""hi""",x'), ['say "hi"', "x"]);
});
test("empty fields", () => {
  assert.deepEqual(parseCsvLine(',,""'), ["", "", ""]);
});
