import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayReport } from "../src/bench/replay-sessions.js";
import { writeBenchFiles } from "../src/cli/commands/bench-output.js";
import { createGatewayServer } from "../src/gateway/gateway-server.js";
import { ModelRouter } from "../src/routing/model-router.js";
import { TurnRecorder } from "../src/telemetry/turn-record.js";
import { latestBenchReportFile } from "../src/util/paths.js";
import { sessionRouting } from "./support/session-routing.js";

const API_KEY = "dashboard-bench-key-0123456789";
const CHROMIUM = "/usr/bin/chromium";

/** A replay report of one turn: what `bench replay --html` renders. */
const report: ReplayReport = {
  target: "switchyard",
  kind: "switchyard",
  renderer: undefined,
  turns: [
    {
      request: "bare-session/002.json",
      lane: "bare-session/main",
      status: 200,
      renderedTokens: 100,
      minimum: 100,
      prefilled: 100,
      reused: 0,
      reusePercent: 0,
      ttftMs: 50,
      decodeTokensPerSecond: 40,
      miss: undefined,
      error: undefined,
    },
  ],
  brokenTurns: [],
  efficiency: 1,
  totals: {
    turns: 1,
    served: 1,
    prefilled: 100,
    minimum: 100,
    reused: 0,
    efficiency: 1,
    reusePercent: 0,
    ttftMsTotal: 50,
    wallMs: 60,
    pausedMs: 0,
  },
};

describe("the dashboard links the latest bench report", () => {
  let server: Server;
  let url: string;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "switchyard-bench-link-"));
    rmSync(latestBenchReportFile(), { force: true });
    const router = new ModelRouter([], {});
    server = createGatewayServer({
      backends: [],
      router,
      routing: await sessionRouting(router),
      recorder: new TurnRecorder(100),
      apiKey: API_KEY,
      bodyLimitBytes: 1 << 20,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });
  const withKey = { "x-api-key": API_KEY };
  const overview = async () =>
    (await (await fetch(`${url}/dashboard/api/overview`, { headers: withKey })).json()) as {
      benchReport: { updatedAt: string } | null;
    };

  it("has no link before any report, then serves the copy `--html` leaves in the state folder, sandboxed", async () => {
    expect((await overview()).benchReport).toBeNull();
    expect((await fetch(`${url}/dashboard/bench/latest`, { headers: withKey })).status).toBe(404);

    const html = join(scratch, "report.html");
    writeBenchFiles({ html }, { replay: report });
    expect(readFileSync(latestBenchReportFile(), "utf8")).toBe(readFileSync(html, "utf8"));

    expect(Date.parse((await overview()).benchReport?.updatedAt ?? "")).toBeGreaterThan(0);
    expect((await fetch(`${url}/dashboard/bench/latest`)).status).toBe(401);
    const served = await fetch(`${url}/dashboard/bench/latest`, { headers: withKey });
    expect(served.status).toBe(200);
    expect(served.headers.get("content-security-policy")).toBe("sandbox allow-scripts");
    expect(await served.text()).toBe(readFileSync(html, "utf8"));
  });

  it("shows the link in the page's header, and it opens the report (Chromium)", async () => {
    const profile = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      timeout: 60_000,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${url}/dashboard/login`);
      await page.fill("input[name=key]", API_KEY);
      await page.click("button[type=submit]");
      const link = page.locator("#bench-report");
      await link.waitFor({ state: "visible", timeout: 30_000 });
      expect(await link.getAttribute("href")).toBe("/dashboard/bench/latest");
      const [opened] = await Promise.all([context.waitForEvent("page"), link.click()]);
      await opened.waitForLoadState();
      expect(await opened.content()).toContain("bare-session/002.json");
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
