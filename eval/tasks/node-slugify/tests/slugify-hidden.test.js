import assert from "node:assert/strict";
import { test } from "node:test";
import { slugify } from "../../src/slugify.js";

test("lowercases and joins words with one hyphen", () => {
  assert.equal(slugify("Hello  World"), "hello-world");
});
test("removes accents", () => {
  assert.equal(slugify("Crème Brûlée à la carte"), "creme-brulee-a-la-carte");
});
test("no hyphen at either end", () => {
  assert.equal(slugify("  --Ready, set: go!--  "), "ready-set-go");
});
test("keeps digits", () => {
  assert.equal(slugify("Top 10 of 2024"), "top-10-of-2024");
});
