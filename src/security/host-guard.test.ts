import { describe, expect, it } from "vitest";
import { hostAllowedWithoutKey } from "./host-guard.js";

describe("hostAllowedWithoutKey", () => {
  it("accepts IP literals and localhost, with or without a port", () => {
    for (const host of [
      "127.0.0.1:4747",
      "127.0.0.1",
      "[::1]:4747",
      "192.168.1.20:4747",
      "localhost:4747",
      "app.localhost",
    ])
      expect(hostAllowedWithoutKey(host), host).toBe(true);
  });

  it("refuses domain names (what a DNS-rebinding page sends), a missing Host and garbage", () => {
    for (const host of ["attacker.example:4747", "localhost.attacker.example", "mybox.lan", "a b", "", undefined])
      expect(hostAllowedWithoutKey(host), String(host)).toBe(false);
  });
});
