import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureRequests, replayHeaders } from "./support/fixtures.js";
import { startTestGateway } from "./support/test-gateway.js";

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const CHROMIUM = "/usr/bin/chromium";
const API_KEY = "dashboard-test-key-0123456789";
const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");
const EDITED_QUESTION = "a deliberately different first question";

/** Replays one recorded session (HEAD probes included), editing the first user message from 004.json on. */
async function replayEdited(gateway: Gateway, session: string): Promise<void> {
  for (const request of fixtureRequests(session)) {
    const body = request.body ? structuredClone(request.body) : null;
    if (body && request.file >= "004.json") {
      const messages = body.messages as Array<{ content: unknown }>;
      if (messages[0]) messages[0].content = EDITED_QUESTION;
    }
    const response = await fetch(`${gateway.url}${request.url}`, {
      method: request.method,
      headers: { ...replayHeaders(request), "x-api-key": API_KEY },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
  }
  await gateway.recorder.flush();
}

describe("the dashboard in a real browser (Debian chromium; scripts/ensure-system-packages.sh installs it)", () => {
  let gateway: Gateway;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const session = fixtureRequests("bare-session").find((request) => request.body)?.headers[
    "x-claude-code-session-id"
  ] as string;

  beforeAll(async () => {
    // Slots idle a second have their prompts moved to the RAM cache (the last test shows it).
    gateway = await startTestGateway({
      gateway: { apiKey: API_KEY },
      engine: { slots: 4, contextSize: 65536, cacheRamMiB: 2048, idleSlotSeconds: 1 },
    });
    await replayEdited(gateway, "bare-session");
    profile = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 768 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      timeout: 60_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    await gateway?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("asks for the key, then shows the replayed session, its turns and the miss explanation", async () => {
    const recorded = gateway.recorder
      .all()
      .filter((turn) => turn.sessionId === session && turn.endpoint === "messages");
    const missed = recorded.filter((turn) => turn.miss);
    expect(missed).toHaveLength(1);

    // A browser without the cookie lands on the login page; a wrong key is refused there.
    await page.goto(`${gateway.url}/`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/login");
    await page.fill("#key", "not-the-key");
    await page.click("button[type=submit]");
    await page.waitForSelector(".login-error");
    await page.fill("#key", API_KEY);
    await Promise.all([page.waitForURL(`${gateway.url}/`), page.click("button[type=submit]")]);
    const cookie = (await context.cookies()).find((candidate) => candidate.name === "switchyard_dashboard");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    expect(cookie?.value).not.toContain(API_KEY);

    // The session is listed; the latest one is selected, so its turns and its miss are on the page.
    const row = page.locator(`#sessions tr[data-session-id="${session}"]`);
    await row.waitFor();
    await row.click();
    await page.waitForSelector(`[data-testid=session-id]:text-is("${session}")`);
    await expect.poll(() => page.locator("#turns tbody tr").count()).toBe(recorded.length);
    for (const turn of recorded) await page.locator(`#turns tr[data-turn-id="${turn.id}"]`).waitFor();
    const miss = page.locator(`#misses li[data-turn-id="${missed[0]?.id}"]`);
    await miss.waitFor();
    expect(await miss.isVisible()).toBe(true);
    const missText = await miss.textContent();
    expect(missText).toContain(missed[0]?.miss?.explanation as string);
    expect(missText).toContain("messages[0].content[0]");
    expect(await miss.locator(".diff-after").textContent()).toContain(EDITED_QUESTION);
    expect(await page.locator("#turn-chart canvas").count()).toBeGreaterThan(0);
    // The agent that sent the session, from its user-agent (claude-cli/2.1.197), in the list and the header.
    expect(await row.textContent()).toContain("Claude Code 2.1.197");
    expect(await page.locator("[data-testid=session-client]").textContent()).toBe("client Claude Code 2.1.197");
    // What the models wrote over the session, and how much of it was reasoning.
    const sessionTurns = gateway.recorder.all().filter((turn) => turn.sessionId === session);
    const output = sessionTurns.reduce((sum, turn) => sum + (turn.outputTokens ?? 0), 0);
    const reasoning = sessionTurns.reduce((sum, turn) => sum + (turn.usage?.reasoningTokens ?? 0), 0);
    expect(reasoning).toBeGreaterThan(0);
    expect(await page.locator("[data-testid=session-output]").textContent()).toBe(
      `output ${output.toLocaleString("en-US")} (${reasoning.toLocaleString("en-US")} reasoning)`,
    );
    // The backend panel says which lane of this session holds a slot.
    expect(await page.locator("#backends").textContent()).toMatch(/slot \d+\s*main/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
    await miss.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-miss.png") });
    await page.locator("#turns").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-turns.png") });
  });

  it("shows a new session live, without a reload, tagged with its eval run and task", async () => {
    const first = fixtureRequests("basic-session").find((request) => request.body);
    if (!first) throw new Error("basic-session has no request");
    const response = await fetch(`${gateway.url}${first.url}`, {
      method: "POST",
      // As `switchyard eval run` has its agents send them (src/eval/agents.ts).
      headers: {
        ...replayHeaders(first),
        "x-api-key": API_KEY,
        "x-switchyard-eval-run": "run-7",
        "x-switchyard-eval-task": "py-roman",
      },
      body: JSON.stringify(first.body),
    });
    expect(response.status, await response.text()).toBe(200);
    const id = first.headers["x-claude-code-session-id"] as string;
    const row = page.locator(`#sessions tr[data-session-id="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await page.locator("#live").textContent()).toBe("live");
    expect(await row.locator("[data-testid=eval-tag]").textContent()).toBe("eval run-7 · py-roman");
    await row.click();
    await page.waitForSelector(`[data-testid=session-id]:text-is("${id}")`);
    expect(await page.locator("#session [data-testid=eval-tag]").textContent()).toBe("eval run-7 · py-roman");
  });

  it("marks the slots whose prompts wait in the RAM cache after idling", async () => {
    // A turn of another session more than a second after the others: their slots are moved before it.
    await sleep(1_500);
    const next = fixtureRequests("agent-session").find((request) => request.body);
    if (!next) throw new Error("agent-session has no request");
    const response = await fetch(`${gateway.url}${next.url}`, {
      method: "POST",
      headers: { ...replayHeaders(next), "x-api-key": API_KEY },
      body: JSON.stringify(next.body),
    });
    expect(response.status, await response.text()).toBe(200);
    const moved = (gateway.backends[0]?.slotSnapshot?.() ?? []).filter((slot) => slot.inRamCache);
    expect(moved.length).toBeGreaterThan(0);
    // The panel is read every 3 s.
    await expect.poll(() => page.locator("#backends .badge.ram").count(), { timeout: 10_000 }).toBe(moved.length);
    for (const slot of moved)
      expect(await page.locator(`#backends li[data-slot="${slot.slot}"]`).textContent()).toContain("in RAM");
    await page.locator("#backends").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-slots.png") });
  });
});
