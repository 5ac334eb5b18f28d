import { describe, expect, it } from "vitest";
import { apiKeyChecker } from "./api-key.js";

describe("apiKeyChecker", () => {
  it("accepts only the exact key, whatever the presented length", () => {
    const matches = apiKeyChecker("the-expected-key");
    expect(matches("the-expected-key")).toBe(true);
    for (const wrong of [undefined, "", "the-expected-ke", "the-expected-key!", "THE-EXPECTED-KEY", "x".repeat(10_000)])
      expect(matches(wrong)).toBe(false);
  });
});
