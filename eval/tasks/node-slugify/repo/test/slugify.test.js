import assert from "node:assert/strict";
import { test } from "node:test";
import { slugify } from "../src/slugify.js";

test("a plain title", () => {
  assert.equal(slugify("hello"), "hello");
});
