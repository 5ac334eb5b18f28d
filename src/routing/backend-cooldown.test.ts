import { describe, expect, it } from "vitest";
import { BackendCooldowns } from "./backend-cooldown.js";

describe("backend cooldowns", () => {
  it("doubles the cooldown on each failure in a row, up to the maximum, and forgets on success", () => {
    let now = 1_000;
    const cooldowns = new BackendCooldowns(100, 350, () => now);
    expect(cooldowns.remainingMs("local")).toBe(0);
    expect(cooldowns.fail("local", "refused")).toBe(100);
    expect(cooldowns.remainingMs("local")).toBe(100);
    expect(cooldowns.fail("local", "refused")).toBe(200);
    expect(cooldowns.fail("local", "refused")).toBe(350);
    expect(cooldowns.describe("local")).toEqual({ failures: 3, lastError: "refused" });
    now += 349;
    expect(cooldowns.remainingMs("local")).toBe(1);
    now += 1;
    expect(cooldowns.remainingMs("local")).toBe(0);
    cooldowns.succeed("local");
    expect(cooldowns.describe("local")).toBeUndefined();
    expect(cooldowns.fail("local", "again")).toBe(100);
    expect(cooldowns.remainingMs("cloud")).toBe(0);
  });
});
