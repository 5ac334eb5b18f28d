import { mkdtempSync } from "node:fs";
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DashboardAuth } from "../src/dashboard/dashboard-auth.js";
import { createGatewayServer } from "../src/gateway/gateway-server.js";
import { ModelRouter } from "../src/routing/model-router.js";
import { apiKeyChecker } from "../src/security/api-key.js";
import { SqliteTurnStore } from "../src/store/sqlite-turn-store.js";
import { TurnRecorder } from "../src/telemetry/turn-record.js";
import type { SessionSummary } from "../src/telemetry/turn-source.js";
import { sessionRouting } from "./support/session-routing.js";
import { generatedTurns } from "./support/synthetic-turns.js";

/** The gateway's HTTP server with no backends (the dashboard reads only records) on a free port. */
async function startServer(recorder: TurnRecorder, apiKey?: string, store?: SqliteTurnStore, signInHours?: number) {
  const router = new ModelRouter([], {});
  const server = createGatewayServer({
    backends: [],
    router,
    routing: await sessionRouting(router),
    recorder,
    apiKey,
    store,
    bodyLimitBytes: 1 << 20,
    signInHours,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const html = { accept: "text/html,application/xhtml+xml" };

/** The sign-in form posted with `value` as the key. */
const signIn = (url: string, value: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/dashboard/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ key: value }),
    redirect: "manual",
  });

describe("dashboard endpoints with 10,000 turns", () => {
  it("send summaries and capped pages, never every turn", async () => {
    const recorder = new TurnRecorder(20_000);
    // 9,000 turns spread over 300 sessions, then one long session of 1,000 more.
    const turns = generatedTurns({ turns: 9000, sessions: 300, cloudEvery: 10, missEvery: 13 });
    const long = generatedTurns({ turns: 1000, sessions: 1, seed: 3 }).map((turn, index) => ({
      ...turn,
      id: `long-${index}`,
      sessionId: "long-session",
      startedAt: new Date(Date.parse("2026-02-01T00:00:00Z") + index * 1000).toISOString(),
    }));
    for (const turn of [...turns, ...long]) recorder.add(turn);
    // A token count in a session is recorded, but is not one of its turns.
    recorder.add({ ...(turns[7] as (typeof turns)[number]), id: "count", endpoint: "count_tokens" });
    const url = await startServer(recorder);

    const started = performance.now();
    const response = await fetch(`${url}/dashboard/api/overview?limit=50`);
    const text = await response.text();
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    const overview = JSON.parse(text) as { sessions: SessionSummary[]; totals: Record<string, number> };
    expect(overview.sessions).toHaveLength(50);
    expect(overview.sessions[0]?.sessionId).toBe("long-session");
    for (const session of overview.sessions) expect(typeof session.turns).toBe("number");
    expect(overview.totals.sessions).toBe(301);
    expect(overview.totals.turns).toBe(10_000);
    expect(overview.totals.misses).toBe(turns.filter((turn) => turn.miss).length);
    expect(overview.totals.reusedTokens).toBe(
      [...turns, ...long].reduce((sum, turn) => sum + (turn.reusedTokens ?? 0), 0),
    );
    // Summaries only: a few hundred bytes a session, whatever the number of turns behind them.
    expect(text.length).toBeLessThan(50 * 600);
    console.log(`overview of 10,000 turns: ${text.length} bytes in ${elapsed.toFixed(1)} ms (not asserted)`);

    const page = (await (await fetch(`${url}/dashboard/api/sessions/long-session/turns?limit=300`)).json()) as {
      truncated: boolean;
      turns: Array<Record<string, unknown>>;
    };
    expect(page.truncated).toBe(true);
    expect(page.turns.map((turn) => turn.id)).toEqual(long.slice(-300).map((turn) => turn.id));
    // Rows leave out raw usage and timings, and carry cost in one shape.
    expect(page.turns[0]).not.toHaveProperty("usage");
    const rawCost = (long.at(-300) as unknown as { cost: { referenceUsd: number; energyUsd: number } }).cost;
    expect(page.turns[0]?.cost).toEqual({
      referenceUsd: rawCost.referenceUsd,
      energyUsd: rawCost.energyUsd,
      savedUsd: rawCost.referenceUsd - rawCost.energyUsd,
    });

    // Cloud turns' routing decisions come through in one shape; local turns here have none.
    const cloudy = (await (await fetch(`${url}/dashboard/api/sessions/session-0010/turns`)).json()) as {
      turns: Array<{ backendLocal: boolean; routing: unknown }>;
    };
    const cloudTurn = cloudy.turns.find((turn) => turn.backendLocal === false);
    expect(cloudTurn?.routing).toEqual({
      rule: "tool-errors",
      reason: "2 tool errors in a row",
      sticky: false,
      switchCost: {
        from: "local",
        to: "cloud",
        tokensNotCached: expect.any(Number),
        cacheWriteUsd: expect.any(Number),
      },
      fallback: [],
    });

    const whole = (await (await fetch(`${url}/dashboard/api/sessions/session-0007/turns`)).json()) as {
      truncated: boolean;
      turns: Array<{ backendLocal: boolean; routing: unknown }>;
    };
    expect(whole.turns.every((turn) => turn.backendLocal && turn.routing === null)).toBe(true);
    expect(whole.truncated).toBe(false);
    expect(whole.turns).toHaveLength(30);
  });

  it("rejects a bad limit with a 400 in the Anthropic error shape", async () => {
    const url = await startServer(new TurnRecorder(10));
    const response = await fetch(`${url}/dashboard/api/overview?limit=lots`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });
});

describe("dashboard without an API key", () => {
  it("is open, serves the page to browsers and plain text to other clients", async () => {
    const url = await startServer(new TurnRecorder(10));
    const page = await fetch(`${url}/`, { headers: html });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("/dashboard/static/dashboard.js");
    const plain = await fetch(`${url}/`);
    expect(plain.headers.get("content-type")).toContain("text/plain");
    expect((await fetch(`${url}/`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${url}/dashboard/api/overview`)).status).toBe(200);
    const login = await fetch(`${url}/dashboard/login`, { redirect: "manual" });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/");
  });

  it("answers only under localhost or an IP address, so a rebinding page cannot read it", async () => {
    const url = await startServer(new TurnRecorder(10));
    const { port } = new URL(url);
    const request = (path: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        // fetch() will not send a Host header of our choosing; node:http will.
        const outgoing = httpRequest(
          { host: "127.0.0.1", port, path, headers: { host, accept: "text/html" } },
          (incoming) => {
            incoming.resume();
            resolve(incoming.statusCode ?? 0);
          },
        );
        outgoing.on("error", reject);
        outgoing.end();
      });
    expect(await request("/dashboard/api/overview", "attacker.example")).toBe(403);
    expect(await request("/", "attacker.example")).toBe(403);
    expect(await request("/dashboard/api/overview", `localhost:${port}`)).toBe(200);
    // Nor does the rest of a keyless gateway (test/security.test.ts checks every route).
    expect(await request("/health", "attacker.example")).toBe(403);
  });

  it("filters the overview by since and rejects a since that is not a date", async () => {
    const recorder = new TurnRecorder(100);
    const turns = generatedTurns({ turns: 40, sessions: 4 });
    for (const turn of turns) recorder.add(turn);
    const url = await startServer(recorder);
    const since = turns[30]?.startedAt as string;
    const overview = (await (await fetch(`${url}/dashboard/api/overview?since=${since}`)).json()) as {
      totals: { turns: number };
    };
    expect(overview.totals.turns).toBe(10);
    expect((await fetch(`${url}/dashboard/api/overview?since=yesterday-ish`)).status).toBe(400);
  });

  it("serves its own files and uPlot's from the installed package, nothing else", async () => {
    const url = await startServer(new TurnRecorder(10));
    const uplot = await fetch(`${url}/dashboard/static/uPlot.iife.min.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get("content-type")).toContain("text/javascript");
    expect(await uplot.text()).toContain("uPlot");
    expect((await fetch(`${url}/dashboard/static/dashboard.css`)).headers.get("content-type")).toContain("text/css");
    expect((await fetch(`${url}/dashboard/static/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/dashboard/static/..%2Fdashboard-auth.ts`)).status).toBe(404);
  });

  it("announces each new turn on the event stream", async () => {
    const recorder = new TurnRecorder(10);
    const url = await startServer(recorder);
    const controller = new AbortController();
    const response = await fetch(`${url}/dashboard/api/events`, { signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const [turn] = generatedTurns({ turns: 1, sessions: 1 });
    if (!turn) throw new Error("no turn generated");
    let text = "";
    const decoder = new TextDecoder();
    // The stream is open once the retry line arrives; only then can a turn be announced on it.
    while (!text.includes("retry:")) text += decoder.decode((await reader.read()).value);
    recorder.add(turn);
    while (!text.includes("event: turn")) text += decoder.decode((await reader.read()).value);
    controller.abort();
    const data = /event: turn\ndata: (.*)\n/.exec(text)?.[1] as string;
    expect(JSON.parse(data)).toEqual({ id: turn.id, sessionId: turn.sessionId, startedAt: turn.startedAt });
  });
});

describe("dashboard with a durable store", () => {
  it("reads the store, earlier runs included, and a turn announced live is readable before its batch is due", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-dashboard-store-")), "switchyard.db");
    const [earlier, live] = generatedTurns({ turns: 2, sessions: 2 }).map((turn, index) => ({
      ...turn,
      sessionId: index === 0 ? "earlier-run" : "live-session",
    }));
    if (!earlier || !live) throw new Error("no turns generated");
    const before = new SqliteTurnStore({ path, retentionDays: 0 });
    before.add(earlier);
    await before.close();
    // A batch interval far longer than the test: only the read committing the queue can show the turn.
    const store = new SqliteTurnStore({ path, retentionDays: 0, flushIntervalMs: 600_000 });
    const recorder = new TurnRecorder(10);
    recorder.onTurn((turn) => store.add(turn));
    const url = await startServer(recorder, undefined, store);
    try {
      const overview = async () =>
        ((await (await fetch(`${url}/dashboard/api/overview`)).json()) as { sessions: SessionSummary[] }).sessions;
      expect((await overview()).map((session) => session.sessionId)).toEqual(["earlier-run"]);

      const controller = new AbortController();
      const response = await fetch(`${url}/dashboard/api/events`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (!text.includes("retry:")) text += decoder.decode((await reader.read()).value);
      recorder.add(live);
      while (!text.includes("event: turn")) text += decoder.decode((await reader.read()).value);
      controller.abort();
      expect((await overview()).map((session) => session.sessionId)).toEqual(["live-session", "earlier-run"]);
      const turns = (await (await fetch(`${url}/dashboard/api/sessions/live-session/turns`)).json()) as {
        turns: Array<{ id: string }>;
      };
      expect(turns.turns.map((turn) => turn.id)).toEqual([live.id]);
    } finally {
      await store.close();
    }
  });
});

describe("dashboard with an API key", () => {
  const key = "s3cret-gateway-key";

  it("sends browsers to a login page that sets an HttpOnly, SameSite=Strict cookie (not the key)", async () => {
    const url = await startServer(new TurnRecorder(10), key);
    const page = await fetch(`${url}/`, { headers: html, redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/dashboard/login");
    expect((await fetch(`${url}/`, { method: "HEAD" })).status).toBe(200);
    const form = await fetch(`${url}/dashboard/login`);
    expect(await form.text()).toContain('name="key"');

    const post = (value: string) => signIn(url, value);
    const wrong = await post("guess");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const right = await post(key);
    expect(right.status).toBe(303);
    const setCookie = right.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(key);
    const cookie = setCookie.split(";")[0] as string;

    expect((await fetch(`${url}/`, { headers: { ...html, cookie } })).status).toBe(200);
    expect((await fetch(`${url}/dashboard/api/overview`, { headers: { cookie } })).status).toBe(200);
    const tampered = `${cookie.slice(0, -2)}xx`;
    expect((await fetch(`${url}/dashboard/api/overview`, { headers: { cookie: tampered } })).status).toBe(401);
    // The cookie opens the dashboard, not the API.
    expect((await fetch(`${url}/v1/switchyard/turns`, { headers: { cookie } })).status).toBe(401);
    const logout = await fetch(`${url}/dashboard/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
    expect(logout.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("lets API clients in with x-api-key or Bearer, and nobody without", async () => {
    const url = await startServer(new TurnRecorder(10), key);
    const anonymous = await fetch(`${url}/dashboard/api/overview`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    expect((await fetch(`${url}/dashboard/api/backends`, { headers: { "x-api-key": key } })).status).toBe(200);
    expect((await fetch(`${url}/dashboard/api/events`, { headers: { "x-api-key": "nope" } })).status).toBe(401);
    const bearer = await fetch(`${url}/dashboard/api/overview`, { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(200);
    // The page's files hold no data and are served to the login page too.
    expect((await fetch(`${url}/dashboard/static/dashboard.css`)).status).toBe(200);
  });

  it("takes the key only as a small form", async () => {
    const url = await startServer(new TurnRecorder(10), key);
    const asJson = await fetch(`${url}/dashboard/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key }),
    });
    expect(asJson.status).toBe(400);
    const huge = await fetch(`${url}/dashboard/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `key=${"x".repeat(20_000)}`,
    });
    expect(huge.status).toBe(413);
  });

  it("answers 429 to the attempt after 10 wrong keys in a row from one address, even with the right key", async () => {
    const url = await startServer(new TurnRecorder(10), key);
    const post = (value: string) => signIn(url, value);
    for (let attempt = 1; attempt <= 10; attempt++) expect((await post(`guess-${attempt}`)).status).toBe(401);
    const locked = await post(key);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(locked.headers.get("set-cookie")).toBeNull();
    expect(await locked.text()).toMatch(/Too many wrong keys/);
  });

  it("marks the cookie Secure when the browser came over TLS, and makes it last signInHours", async () => {
    const url = await startServer(new TurnRecorder(10), key, undefined, 2);
    const plain = (await signIn(url, key)).headers.get("set-cookie") ?? "";
    expect(plain).toMatch(/Max-Age=7200/);
    expect(plain).not.toMatch(/Secure/);
    // What a TLS-terminating reverse proxy in front of the gateway says.
    const overTls = await signIn(url, key, { "x-forwarded-proto": "https" });
    expect(overTls.headers.get("set-cookie")).toMatch(/; Secure$/);
  });

  it("refuses an expired session cookie", () => {
    const auth = new DashboardAuth(apiKeyChecker(key));
    const old = auth.login(key, false, Date.now() - 13 * 60 * 60 * 1000) as string;
    const fresh = auth.login(key) as string;
    const request = (cookie: string) => ({ headers: { cookie: cookie.split(";")[0] } }) as never;
    expect(auth.allows(request(fresh))).toBe(true);
    expect(auth.allows(request(old))).toBe(false);
    expect(new DashboardAuth(apiKeyChecker(key)).allows(request(fresh))).toBe(false);
  });
});
