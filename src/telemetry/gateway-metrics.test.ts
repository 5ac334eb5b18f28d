import { describe, expect, it } from "vitest";
import type { Backend } from "../backends/backend.js";
import { GatewayMetrics } from "./gateway-metrics.js";
import type { TurnRecord } from "./turn-record.js";

/** A backend whose health check never answers (a hung server): only what /metrics touches. */
const hungBackend = {
  name: "hung",
  kind: "openai-compatible",
  health: (signal?: AbortSignal) =>
    new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true })),
} as unknown as Backend;

const cloudTurn = (id: string, cost: unknown) =>
  ({
    id,
    startedAt: new Date().toISOString(),
    protocol: "anthropic",
    endpoint: "messages",
    backend: "cloud",
    laneKind: "main",
    status: 200,
    durationMs: 1200,
    ttftMs: 300,
    reusedTokens: 100,
    prefilledTokens: 20,
    outputTokens: 7,
    cost,
  }) as unknown as TurnRecord;

const line = (text: string, series: string) => new RegExp(`^${series} (\\S+)$`, "m").exec(text)?.[1];

describe("GatewayMetrics", () => {
  it("adds the cost field of records that have one, and counts records without it as zero", async () => {
    const metrics = new GatewayMetrics([]);
    metrics.observe(cloudTurn("a", { usd: 0.25 }));
    metrics.observe(cloudTurn("b", { usd: 0.5 }));
    metrics.observe(cloudTurn("c", undefined));
    metrics.observe(cloudTurn("d", { usd: "not a number" }));
    const text = await metrics.render();
    expect(Number(line(text, 'switchyard_cost_usd_total\\{backend="cloud"\\}'))).toBeCloseTo(0.75);
    expect(line(text, 'switchyard_prompt_reuse_ratio\\{backend="cloud"\\}')).toBe(String(400 / 480));
  });

  it("labels every series with the replica, when it is one of a team's", async () => {
    const metrics = new GatewayMetrics([], { replica: "replica-a" });
    metrics.observe(cloudTurn("a", { usd: 0.25 }));
    const text = await metrics.render();
    expect(line(text, 'switchyard_cost_usd_total\\{backend="cloud",replica="replica-a"\\}')).toBe("0.25");
    expect(await new GatewayMetrics([]).render()).not.toContain("replica=");
  });

  it("counts the slots whose idle lane's prompt waits in the RAM cache", async () => {
    const lane = { sessionId: "s", name: "main", kind: "main" } as const;
    const backend = {
      ...hungBackend,
      name: "local",
      kind: "llama-server",
      slotSnapshot: () => [
        { slot: 0, lane, busy: false, inRamCache: true },
        { slot: 1, lane: { ...lane, sessionId: "t" }, busy: true },
        { slot: 2, lane: undefined, busy: false },
      ],
    } as unknown as Backend;
    const text = await new GatewayMetrics([backend]).render();
    expect(line(text, 'switchyard_backend_slots_in_ram_cache\\{backend="local"\\}')).toBe("1");
    expect(line(text, 'switchyard_backend_slots_busy\\{backend="local"\\}')).toBe("1");
  });

  it("reports a backend whose health check hangs as down, without hanging the scrape", async () => {
    const text = await new GatewayMetrics([hungBackend]).render();
    expect(line(text, 'switchyard_backend_up\\{backend="hung",kind="openai-compatible"\\}')).toBe("0");
  });

  it("checks a backend's health once for scrapes that come close together", async () => {
    let checks = 0;
    const backend = {
      name: "counted",
      kind: "anthropic",
      health: async () => {
        checks++;
        return { ok: true, detail: "ok" };
      },
    } as unknown as Backend;
    const metrics = new GatewayMetrics([backend]);
    const [first, second] = await Promise.all([metrics.render(), metrics.render()]);
    const third = await metrics.render();
    for (const text of [first, second, third])
      expect(line(text, 'switchyard_backend_up\\{backend="counted",kind="anthropic"\\}')).toBe("1");
    expect(checks).toBe(1);
  });

  it("keeps each gateway's counters apart", async () => {
    const first = new GatewayMetrics([]);
    first.observe(cloudTurn("a", undefined));
    const second = new GatewayMetrics([]);
    expect(await second.render()).not.toMatch(/^switchyard_requests_total\{/m);
    expect(await first.render()).toMatch(/^switchyard_requests_total\{.*\} 1$/m);
  });
});
