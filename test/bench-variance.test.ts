import { afterEach, describe, expect, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { formatPreflight } from "../src/bench/format-preflight.js";
import { runPreflight } from "../src/bench/preflight.js";
import { seededRandom } from "../src/bench/statistics.js";
import { startTimedSseServer, type TimedSseServer } from "./support/timed-sse-server.js";

/** Lognormal draws around `median` (σ in log space), from a seeded generator (Box–Muller). */
function lognormal(seed: number, median: number, sigma: number): () => number {
  const random = seededRandom(seed);
  return () => {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return median * Math.exp(sigma * normal);
  };
}

async function jitteredServer(seed: number, ttftMs: number, gapMs: number): Promise<TimedSseServer> {
  const first = lognormal(seed, ttftMs, 0.4);
  const gap = lognormal(seed + 1000, gapMs, 0.4);
  return startTimedSseServer({
    firstTokenMs: () => first(),
    gapMs: () => gap(),
    tokens: 10,
    usage: { prompt: 40, cached: 30, details: true },
  });
}

const target = (name: string, server: TimedSseServer): BenchTarget => ({
  name,
  kind: "openai-compatible",
  baseUrl: server.url,
  wire: "openai",
  model: "m",
  local: true,
  headers: {},
});

const servers: TimedSseServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("bench statistics under jitter", () => {
  it("reports a confidence interval and CV, and ranks two targets the same under 10 of 10 seeds", async () => {
    const rankings: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      // "fast" is twice as quick to its first token and between tokens; both jitter lognormally (σ = 0.4).
      const fast = await jitteredServer(seed, 30, 4);
      const slow = await jitteredServer(seed + 50, 60, 8);
      servers.push(fast, slow);
      const report = await runPreflight([target("slow", slow), target("fast", fast)], {
        depths: [0],
        reps: 4,
        warmAppend: 8,
        maxTokens: 10,
        minDecode: 40,
        maxWarmTtftMs: 1000,
        seed,
      });
      if (seed === 1) console.log(formatPreflight(report));
      for (const summary of report.targets) {
        const decode = summary.depths[0]?.decodeTokensPerSecond;
        const warm = summary.depths[0]?.warmTtftMs;
        expect(decode?.n).toBe(8);
        expect(decode?.cv).toBeGreaterThan(0);
        expect(warm?.ci95[0]).toBeLessThanOrEqual(warm?.median as number);
        expect(warm?.ci95[1]).toBeGreaterThanOrEqual(warm?.median as number);
        expect((warm?.ci95[1] as number) - (warm?.ci95[0] as number)).toBeGreaterThan(0);
        expect(summary.depths[0]?.warmReusePercent?.median).toBe(75);
      }
      rankings.push(report.ranking.join(">"));
      await Promise.all(servers.splice(0).map((server) => server.close()));
    }
    console.log(`rankings over 10 seeds: ${rankings.join(", ")}`);
    expect(rankings).toEqual(Array(10).fill("fast>slow"));
  }, 120_000);
});
