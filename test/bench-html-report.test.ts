import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { renderHtmlReport } from "../src/bench/html-report.js";
import { runPreflight } from "../src/bench/preflight.js";
import { fixtureRequests } from "../src/bench/recorded-sessions.js";
import { replaySessions } from "../src/bench/replay-sessions.js";
import { ARTIFACTS, readReportInChromium } from "./support/report-in-chromium.js";
import { startTimedSseServer, type TimedSseServer } from "./support/timed-sse-server.js";

const target = (name: string, server: TimedSseServer, wire: "openai" | "anthropic"): BenchTarget => ({
  name,
  kind: "openai-compatible",
  baseUrl: server.url,
  wire,
  model: "m",
  local: true,
  headers: {},
});

describe("the bench HTML report in Chromium", () => {
  const servers: TimedSseServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it("shows time to first token by depth, decode by target and per-turn reuse, each with data", async () => {
    const script = (ttft: number, gap: number, cached: number) => ({
      firstTokenMs: (request: number) => (request % 2 === 0 ? ttft : ttft / 4),
      gapMs: () => gap,
      tokens: 8,
      usage: { prompt: 400, cached, details: true },
    });
    const fast = await startTimedSseServer(script(60, 3, 380));
    const slow = await startTimedSseServer(script(120, 6, 300));
    servers.push(fast, slow);
    const preflight = await runPreflight([target("fast", fast, "openai"), target("slow", slow, "openai")], {
      depths: [0, 256, 1024],
      reps: 2,
      warmAppend: 8,
      maxTokens: 8,
      minDecode: 40,
      maxWarmTtftMs: 1000,
      seed: 1,
    });
    const replay = await replaySessions(target("replayed", fast, "anthropic"), [fixtureRequests("bare-session")], {
      concurrency: 1,
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "bench-report.html");
    writeFileSync(file, renderHtmlReport({ preflight, replay }));

    const { charts, failures } = await readReportInChromium(file, 3, "bench-report.png");
    console.log(charts);
    expect(failures).toEqual([]);
    expect(charts.map((chart) => chart.title)).toEqual([
      "Time to first token, cold and warm, by depth (median)",
      "Decode speed by target (median over every request)",
      "Replay on replayed: prompt tokens per turn, reused (below) and prefilled (above), and the minimum",
    ]);
    // cold and warm for two targets at three depths; two targets; reused and prefilled for 7 turns
    expect(charts.map((chart) => chart.points)).toEqual([12, 2, 14]);
    for (const chart of charts) expect(chart.painted).toBeGreaterThan(1000);
  }, 180_000);
});
