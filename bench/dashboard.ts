/**
 * npm run bench:dashboard — the dashboard with 10,000 turns in memory: how long its JSON endpoints take
 * and how much they send, and how long Debian's chromium takes to show the page with the largest session
 * selected (and how many table rows it builds). The turns are generated (test/support/synthetic-turns.ts):
 * 9,000 over 300 sessions, and one session of 1,000 (one turn in a hundred routed to a cloud).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { createGatewayServer } from "../src/gateway/gateway-server.js";
import { ModelRouter } from "../src/routing/model-router.js";
import { TurnRecorder } from "../src/telemetry/turn-record.js";
import { sessionRouting } from "../test/support/session-routing.js";
import { generatedTurns } from "../test/support/synthetic-turns.js";
import { median, printTable, writeResults } from "./bench-support.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CHROMIUM = "/usr/bin/chromium";

const recorder = new TurnRecorder(20_000);
for (const turn of generatedTurns({ turns: 9000, sessions: 300, cloudEvery: 10, missEvery: 13 })) recorder.add(turn);
for (const turn of generatedTurns({ turns: 1000, sessions: 1, seed: 3, missEvery: 50, cloudEvery: 100 }))
  recorder.add({ ...turn, id: `long-${turn.id}`, sessionId: "long-session", startedAt: new Date().toISOString() });

const router = new ModelRouter([], {});
const server = createGatewayServer({
  backends: [],
  router,
  routing: await sessionRouting(router),
  recorder,
  bodyLimitBytes: 1 << 20,
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const endpoints = [
  "/dashboard/api/overview?limit=200",
  "/dashboard/api/sessions/long-session/turns",
  "/dashboard/api/sessions/session-0042/turns",
  "/dashboard/api/backends",
];
const rows: Array<Array<string | number>> = [];
const results: Record<string, unknown> = { turns: recorder.all().length, runs: RUNS, endpoints: {} };
for (const endpoint of endpoints) {
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const response = await fetch(`${url}${endpoint}`);
    bytes = (await response.arrayBuffer()).byteLength;
    times.push(performance.now() - started);
  }
  rows.push([endpoint, median(times), Math.max(...times), String(bytes)]);
  (results.endpoints as Record<string, unknown>)[endpoint] = {
    medianMs: median(times),
    maxMs: Math.max(...times),
    bytes,
  };
}
printTable(["endpoint", "median ms", "max ms", "bytes"], rows);

if (existsSync(CHROMIUM)) {
  const profile = mkdtempSync(join(tmpdir(), "switchyard-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 768 },
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const loads: number[] = [];
  let domRows = 0;
  for (let run = 0; run < Math.min(RUNS, 5); run++) {
    const started = performance.now();
    await page.goto(`${url}/#session=long-session`);
    await page.locator("#turns tbody tr").first().waitFor();
    await page.locator("#turn-chart canvas").first().waitFor();
    loads.push(performance.now() - started);
    domRows = await page.locator("tr").count();
  }
  printTable(
    ["browser (chromium, 1366x768)", "median ms", "max ms", "table rows in the page"],
    [["page with the 1,000-turn session", median(loads), Math.max(...loads), String(domRows)]],
  );
  const screenshot = join(import.meta.dirname, "results", "dashboard-10k.png");
  await page.screenshot({ path: screenshot });
  await page.locator("#routing").scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot.replace(".png", "-routing.png") });
  console.log(`screenshot: ${screenshot}`);
  results.browser = { medianMs: median(loads), maxMs: Math.max(...loads), domRows };
  await context.close();
  rmSync(profile, { recursive: true, force: true });
} else {
  console.log(`\n${CHROMIUM} is missing: browser timing skipped (scripts/ensure-system-packages.sh installs it)`);
}

writeResults("dashboard", results);
server.closeAllConnections();
server.close();
