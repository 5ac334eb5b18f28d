import { afterEach, describe, expect, it } from "vitest";
import type { Backend, BackendHealth } from "./backend.js";
import { BackendHealthMonitor, type BackendStatus, nextCheckDelay } from "./backend-health.js";

const NOW = Date.parse("2026-12-01T12:00:00.000Z");
/** Long enough that no scheduled check fires while a test runs: each test drives checks with `check`. */
const SLOW = { intervalMs: 3_600_000, cloudIntervalMs: 7_200_000, initialBackoffMs: 600_000, maxBackoffMs: 2_400_000 };

/** A backend whose next health answers the test sets. */
function backend(name: string, answers: Array<BackendHealth | Error>, local = true): Backend {
  return {
    name,
    local,
    health: async () => {
      const next = answers.shift() ?? { ok: true, detail: "ok" };
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as Backend;
}

const monitors: BackendHealthMonitor[] = [];
afterEach(() => {
  for (const monitor of monitors.splice(0)) monitor.stop();
});

function monitor(backends: Backend[]) {
  const created = new BackendHealthMonitor(backends, { ...SLOW, now: () => NOW });
  monitors.push(created);
  return created;
}

describe("nextCheckDelay", () => {
  it("waits the interval while up, and doubles from the first backoff up to the cap while down", () => {
    const options = { intervalMs: 30_000, initialBackoffMs: 1_000, maxBackoffMs: 60_000, timeoutMs: 5_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((failures) => nextCheckDelay(failures, options))).toEqual([
      30_000, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });
});

describe("BackendHealthMonitor", () => {
  it("assumes a backend never checked is up", () => {
    const health = monitor([backend("gpu", [])]);
    expect(health.isUp("gpu")).toBe(true);
    expect(health.isUp("unknown")).toBe(true);
    expect(health.status("gpu")).toMatchObject({ up: true, consecutiveFailures: 0 });
  });

  it("marks a backend down with the reason and since when, backs off, and marks it up again", async () => {
    const refused = { ok: false, detail: "gpu is unreachable at http://gpu.invalid: ECONNREFUSED" };
    const health = monitor([backend("gpu", [refused, new Error("socket hang up"), { ok: true, detail: "ok" }])]);
    const changes: BackendStatus[] = [];
    health.onChange((status) => changes.push(status));
    health.start();

    const first = await health.check("gpu");
    expect(first).toMatchObject({ up: false, consecutiveFailures: 1, lastError: refused.detail });
    expect(first.since).toBe(new Date(NOW).toISOString());
    expect(first.nextCheckAt).toBe(new Date(NOW + SLOW.initialBackoffMs).toISOString());
    expect(health.isUp("gpu")).toBe(false);

    const second = await health.check("gpu");
    expect(second).toMatchObject({ up: false, consecutiveFailures: 2, lastError: "socket hang up" });
    expect(second.nextCheckAt).toBe(new Date(NOW + 2 * SLOW.initialBackoffMs).toISOString());

    const third = await health.check("gpu");
    expect(third).toMatchObject({ up: true, consecutiveFailures: 0 });
    expect(third.lastError).toBeUndefined();
    expect(third.nextCheckAt).toBe(new Date(NOW + SLOW.intervalMs).toISOString());
    expect(health.isUp("gpu")).toBe(true);

    // Listeners hear the two changes (down, then up), not every check.
    expect(changes.map((status) => status.up)).toEqual([false, true]);
  });

  it("keeps each backend's state apart and lists them in configuration order", async () => {
    const health = monitor([backend("gpu", [{ ok: false, detail: "HTTP 503: loading" }]), backend("cloud", [], false)]);
    await Promise.all([health.check("gpu"), health.check("cloud")]);
    expect(health.statuses().map((status) => [status.name, status.up])).toEqual([
      ["gpu", false],
      ["cloud", true],
    ]);
  });

  it("checks a cloud that is up less often than a local server", async () => {
    const health = monitor([backend("gpu", []), backend("cloud", [], false)]);
    health.start();
    const [gpu, cloud] = await Promise.all([health.check("gpu"), health.check("cloud")]);
    expect(gpu.nextCheckAt).toBe(new Date(NOW + SLOW.intervalMs).toISOString());
    expect(cloud.nextCheckAt).toBe(new Date(NOW + SLOW.cloudIntervalMs).toISOString());
  });

  it("shares a check already running instead of asking the backend twice", async () => {
    let calls = 0;
    const counting = { name: "gpu", health: async () => ({ ok: true, detail: String(++calls) }) } as unknown as Backend;
    const health = monitor([counting]);
    await Promise.all([health.check("gpu"), health.check("gpu")]);
    expect(calls).toBe(1);
  });
});
