import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDuration } from "../../src/duration.js";

test("compound durations", () => {
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("2m5s"), 125_000);
  assert.equal(parseDuration("1h 2m 3s 400ms"), 3_723_400);
});
test("still one part", () => {
  assert.equal(parseDuration("3h"), 10_800_000);
});
test("rejects bad input", () => {
  for (const bad of ["", "5", "1m1h", "1s1s", "1.5h", "abc", "1h-2m"]) assert.throws(() => parseDuration(bad), RangeError, bad);
});
