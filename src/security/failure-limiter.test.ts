import { describe, expect, it } from "vitest";
import { FailureLimiter } from "./failure-limiter.js";

describe("FailureLimiter", () => {
  it("locks a client out after maxFailures in a row, longer each time, and a success clears it", () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 3, lockoutMs: 10_000, now: () => now });
    for (let attempt = 0; attempt < 2; attempt++) limiter.failed("a");
    expect(limiter.waitSeconds("a")).toBe(0);
    limiter.failed("a");
    expect(limiter.waitSeconds("a")).toBe(10);
    expect(limiter.waitSeconds("b")).toBe(0);
    now += 10_000;
    expect(limiter.waitSeconds("a")).toBe(0);
    limiter.failed("a");
    expect(limiter.waitSeconds("a")).toBe(20);
    limiter.succeeded("a");
    expect(limiter.waitSeconds("a")).toBe(0);
  });

  it("remembers at most maxClients, forgetting the oldest", () => {
    const limiter = new FailureLimiter({ maxFailures: 1, maxClients: 2, now: () => 0 });
    for (const client of ["a", "b", "c"]) limiter.failed(client);
    expect(limiter.waitSeconds("a")).toBe(0);
    expect(limiter.waitSeconds("c")).toBeGreaterThan(0);
  });
});
