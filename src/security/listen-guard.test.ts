import { describe, expect, it } from "vitest";
import { assertSafeToListen, isLoopbackHost } from "./listen-guard.js";

describe("listen guard", () => {
  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.com", "127.0.0.1.example.com"])
      expect(isLoopbackHost(host)).toBe(false);
  });

  it("refuses a non-loopback address without a key or with a short one, naming the fix, and allows a long one", () => {
    expect(() => assertSafeToListen("0.0.0.0", undefined)).toThrow(/SWITCHYARD_API_KEY.*gateway\.apiKey/);
    expect(() => assertSafeToListen("0.0.0.0", "x".repeat(31))).toThrow(/at least 32.*switchyard key/);
    expect(() => assertSafeToListen("0.0.0.0", "x".repeat(32))).not.toThrow();
    expect(() => assertSafeToListen("127.0.0.1", undefined)).not.toThrow();
    expect(() => assertSafeToListen("127.0.0.1", "short")).not.toThrow();
  });
});
