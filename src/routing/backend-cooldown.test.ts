import { describe, expect, it } from "vitest";
import { BackendCooldowns, type CooldownState, type SharedCooldowns } from "./backend-cooldown.js";

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

  it("takes the shared cooldowns on refresh, writes its own changes through, and keeps a change made during a read", async () => {
    const now = 1_000;
    const written: string[] = [];
    let answer: (states: Map<string, CooldownState>) => void = () => {};
    const shared: SharedCooldowns = {
      load: () => new Promise((resolve) => (answer = resolve)),
      failed: (backend, state) => written.push(`failed ${backend} ${state.failures} ${state.remainingMs}`),
      recovered: (backend) => written.push(`recovered ${backend}`),
      settled: () => Promise.resolve(),
    };
    const cooldowns = new BackendCooldowns(100, 1_000, () => now);
    cooldowns.share(shared);
    // Another replica's failures of the cloud arrive; a healthy backend's success writes nothing.
    let refreshed = cooldowns.refresh();
    answer(new Map([["cloud", { failures: 2, remainingMs: 150, lastError: "overloaded" }]]));
    await refreshed;
    expect(cooldowns.remainingMs("cloud")).toBe(150);
    cooldowns.succeed("local");
    expect(written).toEqual([]);
    // The count goes on from the shared one.
    expect(cooldowns.fail("cloud", "overloaded")).toBe(400);
    expect(written).toEqual(["failed cloud 3 400"]);
    // A read that began before this replica's success does not bring the cooldown back; one that
    // began after takes the store's view (the other replica's recovery).
    refreshed = cooldowns.refresh();
    cooldowns.succeed("cloud");
    answer(new Map([["cloud", { failures: 3, remainingMs: 400, lastError: "overloaded" }]]));
    await refreshed;
    expect(cooldowns.remainingMs("cloud")).toBe(0);
    expect(written.at(-1)).toBe("recovered cloud");
    cooldowns.fail("local", "refused");
    refreshed = cooldowns.refresh();
    answer(new Map());
    await refreshed;
    expect(cooldowns.describe("local")).toBeUndefined();
  });
});
