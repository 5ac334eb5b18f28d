import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Backend } from "../backends/backend.js";
import { invalidRequest, SwitchyardError } from "../core/errors.js";
import { FailureLimiter } from "../security/failure-limiter.js";
import type { TurnRecorder } from "../telemetry/turn-record.js";
import type { TurnSource } from "../telemetry/turn-source.js";
import { sendJson } from "../util/send-json.js";
import { dashboardAsset } from "./dashboard-assets.js";
import { DashboardAuth, servedOverTls } from "./dashboard-auth.js";
import { DashboardEvents } from "./dashboard-events.js";
import { toBackendView, toTurnRow, totalsOf } from "./dashboard-views.js";
import { loginPage } from "./login-page.js";
import { readFormBody } from "./read-form-body.js";

export interface DashboardOptions {
  /** Where turns are read from (the in-memory ring, or the store). */
  source: TurnSource;
  /** Announces new turns for live updates. */
  recorder: TurnRecorder;
  backends: readonly Backend[];
  /** The gateway's constant-time API key check; without one the dashboard is open. */
  keyMatches: ((presented: string | undefined) => boolean) | undefined;
  /** How long a sign-in lasts (default 12 hours). */
  signInHours?: number;
  /** Counts wrong keys per client address (default: 10 in a row, then a wait). */
  signInLimiter?: FailureLimiter;
  /** The latest `switchyard bench --html` report's copy, linked from the page when it exists. */
  benchReportFile?: string;
}

/** Sessions listed at most; the page asks for fewer. */
const MAX_SESSIONS = 1000;
/** Turns of one session sent at most (newest); the page draws them all and shows them a page at a time. */
const MAX_TURNS = 5000;

export interface DashboardRoutes {
  /** Whether `path` may be the dashboard's: the only ones `handle` serves. */
  owns(path: string): boolean;
  /** Serves the request when it is the dashboard's; false when it is not. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
  close(): void;
}

/** The page at the root (for a browser) and everything under /dashboard/. */
const owns = (path: string) => path === "/" || path.startsWith("/dashboard/");

function limitParameter(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get("limit");
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalidRequest(`limit must be a positive integer, got "${raw}"`);
  return Math.min(Number(raw), max);
}

const wantsHtml = (request: IncomingMessage) => (request.headers.accept ?? "").includes("text/html");

function sendHtml(response: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  response.end(html);
}

function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}) {
  response.writeHead(303, { location, "cache-control": "no-store", ...headers });
  response.end();
}

/** The dashboard at `/`: its page, static files, login, JSON endpoints and live events. */
export function createDashboardRoutes(options: DashboardOptions): DashboardRoutes {
  const auth = new DashboardAuth(options.keyMatches, (options.signInHours ?? 12) * 3600);
  const signIns = options.signInLimiter ?? new FailureLimiter();
  const events = new DashboardEvents(options.recorder);

  function assertSignedIn(request: IncomingMessage): void {
    if (!auth.allows(request)) {
      throw new SwitchyardError("sign in at /dashboard/login, or send the API key (x-api-key or Bearer)", {
        kind: "authentication",
        code: "bad_api_key",
      });
    }
  }

  /** When the latest bench report was written, if there is one. */
  async function benchReport(): Promise<{ updatedAt: string } | null> {
    if (!options.benchReportFile) return null;
    const found = await stat(options.benchReportFile).catch(() => undefined);
    return found?.isFile() ? { updatedAt: found.mtime.toISOString() } : null;
  }

  /**
   * The report is a page of its own with inline scripts and data from the targets measured: sandboxed
   * (an opaque origin), it cannot read the dashboard's cookie or call its API.
   */
  async function serveBenchReport(request: IncomingMessage, response: ServerResponse): Promise<void> {
    assertSignedIn(request);
    const body = options.benchReportFile ? await readFile(options.benchReportFile).catch(() => undefined) : undefined;
    if (!body)
      throw new SwitchyardError("no bench report yet: run `switchyard bench --html FILE`", {
        kind: "not_found",
        code: "no_route",
      });
    response.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-length": body.length,
      "cache-control": "no-store",
      "content-security-policy": "sandbox allow-scripts",
    });
    response.end(body);
  }

  async function serveApi(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    assertSignedIn(request);
    const url = new URL(request.url ?? "/", "http://dashboard");
    const route = path.slice("/dashboard/api/".length);
    if (route === "overview") {
      const since = url.searchParams.get("since") ?? undefined;
      if (since !== undefined && Number.isNaN(Date.parse(since)))
        throw invalidRequest(`since must be an ISO date or time, got "${since}"`);
      const sessions = await options.source.sessions(
        since === undefined ? {} : { since: new Date(since).toISOString() },
      );
      return sendJson(response, 200, {
        generatedAt: new Date().toISOString(),
        authRequired: auth.required,
        totals: totalsOf(sessions),
        sessions: sessions.slice(0, limitParameter(url, 100, MAX_SESSIONS)),
        benchReport: await benchReport(),
      });
    }
    const turnsRoute = /^sessions\/([^/]+)\/turns$/.exec(route);
    if (turnsRoute) {
      let sessionId: string;
      try {
        sessionId = decodeURIComponent(turnsRoute[1] as string);
      } catch {
        throw invalidRequest("the session id in the path is not valid percent-encoding");
      }
      const limit = limitParameter(url, 2000, MAX_TURNS);
      const turns = await options.source.turns({ sessionId, limit: limit + 1 });
      const truncated = turns.length > limit;
      return sendJson(response, 200, {
        sessionId,
        truncated,
        // Token counts are not turns of the conversation (the session summaries leave them out too).
        turns: (truncated ? turns.slice(1) : turns).filter((turn) => turn.endpoint !== "count_tokens").map(toTurnRow),
      });
    }
    if (route === "backends") return sendJson(response, 200, { backends: options.backends.map(toBackendView) });
    if (route === "events") return events.open(response);
    throw new SwitchyardError(`no dashboard endpoint ${path}`, { kind: "not_found", code: "no_route" });
  }

  async function serveLogin(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!auth.required) return redirect(response, "/");
    if (request.method !== "POST") return sendHtml(response, 200, loginPage());
    const client = request.socket.remoteAddress ?? "unknown";
    const wait = signIns.waitSeconds(client);
    if (wait > 0) {
      request.resume();
      return sendHtml(response, 429, loginPage({ waitSeconds: wait }), { "retry-after": String(wait) });
    }
    const form = await readFormBody(request);
    const cookie = auth.login(form.get("key") ?? undefined, servedOverTls(request));
    if (!cookie) {
      signIns.failed(client);
      return sendHtml(response, 401, loginPage({ failed: true }));
    }
    signIns.succeeded(client);
    redirect(response, "/", { "set-cookie": cookie });
  }

  async function serveAsset(response: ServerResponse, name: string): Promise<void> {
    const asset = await dashboardAsset(name)?.catch(() => undefined);
    if (!asset) throw new SwitchyardError(`no dashboard file ${name}`, { kind: "not_found", code: "no_route" });
    response.writeHead(200, {
      "content-type": asset.contentType,
      "content-length": asset.body.length,
      "cache-control": "no-cache",
    });
    response.end(asset.body);
  }

  return {
    owns,
    async handle(request, response, path) {
      if (!owns(path)) return false;
      const method = request.method ?? "GET";
      if (path === "/" && method === "GET" && wantsHtml(request)) {
        if (!auth.allows(request)) redirect(response, "/dashboard/login");
        else await serveAsset(response, "index.html");
        return true;
      }
      if (!path.startsWith("/dashboard/")) return false;
      if (path === "/dashboard/login") await serveLogin(request, response);
      else if (path === "/dashboard/logout" && method === "POST")
        redirect(response, "/dashboard/login", { "set-cookie": DashboardAuth.logoutCookie(servedOverTls(request)) });
      else if (path.startsWith("/dashboard/static/") && method === "GET")
        await serveAsset(response, path.slice("/dashboard/static/".length));
      else if (path.startsWith("/dashboard/api/") && method === "GET") await serveApi(request, response, path);
      else if (path === "/dashboard/bench/latest" && method === "GET") await serveBenchReport(request, response);
      else throw new SwitchyardError(`no route for ${method} ${path}`, { kind: "not_found", code: "no_route" });
      return true;
    },
    close: () => events.close(),
  };
}
