import { describe, expect, it } from "vitest";
import { joinText } from "./join-text.js";

describe("joinText", () => {
  it.each([
    [[], ""],
    [["one"], "one"],
    [["a", "b"], "a\nb"],
    [["a\n", "b"], "a\nb"],
    [["a\n\n", "b"], "a\n\nb"],
    [["a", "", "b"], "a\nb"],
    [["", "b"], "b"],
    [["a", ""], "a"],
    [["a", "\nb"], "a\n\nb"],
    [["x", "y", "z"], "x\ny\nz"],
  ])("%j → %j", (texts, expected) => {
    expect(joinText(texts)).toBe(expected);
  });
});
