import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { renderHtmlReport } from "../src/bench/html-report.js";
import { runPreflight } from "../src/bench/preflight.js";
import { fixtureRequests } from "../src/bench/recorded-sessions.js";
import { replaySessions } from "../src/bench/replay-sessions.js";
import { startTimedSseServer, type TimedSseServer } from "./support/timed-sse-server.js";

const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");

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
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  afterAll(async () => {
    await context?.close();
    await Promise.all(servers.map((server) => server.close()));
    if (profile) rmSync(profile, { recursive: true, force: true });
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

    profile = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      viewport: { width: 1100, height: 1200 },
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      timeout: 60_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (globalThis as unknown as { benchCharts?: unknown[] }).benchCharts?.length === 3);
    const charts = await page.evaluate(() =>
      (
        globalThis as unknown as {
          benchCharts: Array<{
            root: { querySelector(selector: string): { textContent: string | null } | null };
            data: Array<Array<number | null>>;
            ctx: {
              canvas: { width: number; height: number };
              getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
            };
          }>;
        }
      ).benchCharts.map((chart) => {
        const canvas = chart.ctx.canvas;
        const pixels = chart.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] as number) > 0) painted++;
        return {
          title: chart.root.querySelector(".u-title")?.textContent,
          points: chart.data
            .slice(1)
            .flat()
            .filter((value) => value !== null).length,
          painted,
        };
      }),
    );
    await page.screenshot({ path: join(ARTIFACTS, "bench-report.png"), fullPage: true });
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
