import { createServer, type Server } from "node:http";
import type { Backend } from "../backends/backend.js";
import type { BackendHealthMonitor } from "../backends/backend-health.js";
import { SwitchyardError, toSwitchyardError } from "../core/errors.js";
import { createDashboardRoutes } from "../dashboard/dashboard-routes.js";
import type { EngineSupervisor } from "../engine/engine-supervisor.js";
import { anthropicErrorBody } from "../protocols/anthropic/anthropic-errors.js";
import { openAIErrorBody } from "../protocols/openai/openai-errors.js";
import type { ModelRouter } from "../routing/model-router.js";
import type { SessionRouter } from "../routing/session-router.js";
import { apiKeyChecker, presentedKey } from "../security/api-key.js";
import {
  answerClientErrors,
  type ClientLimits,
  capConnections,
  clientDeadlineOptions,
  DEFAULT_CLIENT_LIMITS,
  DEFAULT_STREAM_KEEP_ALIVE_MS,
} from "../security/client-limits.js";
import { applyCors } from "../security/cors.js";
import { assertHostAllowed } from "../security/host-guard.js";
import { assertOriginAllowed } from "../security/origin-guard.js";
import { redactUrl } from "../security/redact-secrets.js";
import { LaneTracker } from "../sessions/lane-tracker.js";
import type { TurnStore } from "../store/turn-store.js";
import type { GatewayMetrics } from "../telemetry/gateway-metrics.js";
import { MemoryTurnSource } from "../telemetry/memory-turn-source.js";
import type { TurnRecorder } from "../telemetry/turn-record.js";
import type { TurnSource } from "../telemetry/turn-source.js";
import { latestBenchReportFile } from "../util/paths.js";
import { RepeatedJsonMembers } from "../util/repeated-json-members.js";
import { sendJson } from "../util/send-json.js";
import {
  handleAnthropicCountTokens,
  handleListModels,
  handleMessages,
  sendAnthropicError,
} from "./anthropic-routes.js";
import { ENGINE_PAUSE_PATH, ENGINE_RESUME_PATH, handleEngineHandover } from "./engine-handover.js";
import { handleHealth } from "./health-route.js";
import {
  handleRouterModels,
  handleRouterProps,
  ROUTER_MODEL_ACTIONS,
  routerActionRefused,
} from "./llama-router-routes.js";
import { handleChatCompletions, sendOpenAIError } from "./openai-routes.js";
import { answerProbe } from "./probe-routes.js";
import { handleResponses, handleResponsesInputTokens } from "./responses-routes.js";
import type { RouteContext } from "./serve-generation.js";
import { handleSessionSummary, SESSION_SUMMARY_PATH } from "./session-summary-route.js";

export interface GatewayOptions {
  backends: readonly Backend[];
  router: ModelRouter;
  recorder: TurnRecorder;
  /** When set, every API call must carry it (x-api-key or Authorization: Bearer). */
  apiKey?: string;
  /** Where the dashboard reads turns; the durable store when there is one, else the recorder's in-memory ring. */
  turnSource?: TurnSource;
  bodyLimitBytes: number;
  /** Browser origins allowed to call the API; none when absent. */
  corsOrigins?: readonly string[];
  /** Called with each request and response body when body logging is on (bodies already redacted). */
  logBody?: RouteContext["logBody"];
  /** Plans every route (session modes, fit, fallback chains). */
  routing: SessionRouter;
  /** Periodic checks with backoff; their state shows in /health and /v1/switchyard/info. */
  health?: BackendHealthMonitor;
  /** Served at GET /metrics (behind the API key like the API). */
  metrics?: GatewayMetrics;
  /** The durable turn store, when enabled. */
  store?: TurnStore;
  /** Deadlines for receiving a request and the cap on connections (defaults: DEFAULT_CLIENT_LIMITS). */
  clientLimits?: ClientLimits;
  /** How long a dashboard sign-in lasts. */
  signInHours?: number;
  /** A stream silent this long gets its headers if not sent, then an SSE comment (0: never; default 10 s). */
  streamKeepAliveMs?: number;
  /** The supervised llama-server, which `POST /v1/switchyard/engine/pause|resume` hands over. */
  engine?: EngineSupervisor;
  /** The latest bench report the dashboard links (default: the state folder's `bench-report.html`). */
  benchReportFile?: string;
}

/** A generation request arrived: local backends open a connection now if none is idle (Backend.preconnect). */
function preconnectLocal(backends: readonly Backend[]): void {
  for (const backend of backends) if (backend.local) backend.preconnect?.();
}

/** Errors in the shape of the client's protocol: OpenAI's for its path, Anthropic's elsewhere. */
const isOpenAIPath = (path: string | undefined) =>
  path === "/v1/chat/completions" || path === "/v1/responses" || path === "/v1/responses/input_tokens";

/**
 * The path a request means: a client whose base URL ends with a slash sends `//v1/messages`, and some
 * add one at the end (`/v1/messages/`); both are `/v1/messages`, as a reverse proxy merging slashes reads them.
 */
export function routePath(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  if (!path.includes("//") && !(path.length > 1 && path.endsWith("/"))) return path;
  return path.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
}

/** What agents send unchanged turn after turn: tool definitions, the system prompt, earlier messages. */
export const REPEATED_PARTS = { members: ["tools", "system", "instructions"], elementsOf: ["messages", "input"] };

/** The gateway's HTTP server: routes, auth, and errors in the client's protocol. */
export function createGatewayServer(options: GatewayOptions): Server {
  const context = {
    recorder: options.recorder,
    lanes: new LaneTracker(options.router.sessions),
    bodyLimitBytes: options.bodyLimitBytes,
    repeatedMembers: new RepeatedJsonMembers(REPEATED_PARTS),
    logBody: options.logBody,
    routing: options.routing,
    streamKeepAliveMs: options.streamKeepAliveMs ?? DEFAULT_STREAM_KEEP_ALIVE_MS,
  };
  const keyMatches = options.apiKey ? apiKeyChecker(options.apiKey) : undefined;
  const dashboard = createDashboardRoutes({
    // The store's reads commit its queue first, so a turn the live event stream has just announced
    // (the recorder's listeners all run before any request is read) is already there.
    source: options.turnSource ?? options.store ?? new MemoryTurnSource(options.recorder),
    recorder: options.recorder,
    backends: options.backends,
    keyMatches,
    signInHours: options.signInHours,
    benchReportFile: options.benchReportFile ?? latestBenchReportFile(),
  });
  const limits = options.clientLimits ?? DEFAULT_CLIENT_LIMITS;
  const server = createServer(clientDeadlineOptions(limits), async (request, response) => {
    // A turn's times start here, before the guards, auth and routing below: they are the gateway's too.
    const receivedAt = performance.now();
    const path = routePath(request.url);
    const method = request.method ?? "GET";
    try {
      // Before anything else, on every route: a rebinding page's Host, then another site's Origin.
      if (!keyMatches) assertHostAllowed(request);
      assertOriginAllowed(request, options.corsOrigins);
      if (applyCors(request, response, options.corsOrigins)) return;
      if (answerProbe(method, path, response)) return;
      // Checked before awaiting: an API request passes without a promise hop.
      if (dashboard.owns(path) && (await dashboard.handle(request, response, path))) return;
      if (method === "GET" && path === "/") {
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        response.end("Switchyard gateway (the dashboard is here in a browser)\n");
        return;
      }
      if (method === "GET" && path === "/health") {
        const detailed = !keyMatches || keyMatches(presentedKey(request));
        return handleHealth(response, options.backends, options.health, detailed);
      }
      if (keyMatches && !keyMatches(presentedKey(request))) {
        throw new SwitchyardError("invalid or missing API key (x-api-key or Authorization: Bearer)", {
          kind: "authentication",
          code: "bad_api_key",
        });
      }
      if (method === "POST" && path === "/v1/messages") {
        preconnectLocal(options.backends);
        return await handleMessages(request, response, context, receivedAt);
      }
      if (method === "POST" && path === "/v1/chat/completions") {
        preconnectLocal(options.backends);
        return await handleChatCompletions(request, response, context, receivedAt);
      }
      if (method === "POST" && path === "/v1/responses") {
        preconnectLocal(options.backends);
        return await handleResponses(request, response, context, receivedAt);
      }
      if (method === "POST" && path === "/v1/responses/input_tokens")
        return await handleResponsesInputTokens(request, response, context, receivedAt);
      if (method === "POST" && path === "/v1/messages/count_tokens")
        return await handleAnthropicCountTokens(request, response, context, receivedAt);
      if (method === "GET" && path === "/v1/models") return handleListModels(response, options.router);
      // llama.cpp's router catalog, for clients made for it (pi's built-in llama.cpp provider).
      if (method === "GET" && path === "/models") return await handleRouterModels(response, options.router);
      if (method === "GET" && path === "/props") return await handleRouterProps(request.url, response, options.router);
      if (method === "POST" && ROUTER_MODEL_ACTIONS.has(path)) throw routerActionRefused(path);
      if (method === "GET" && path === "/v1/switchyard/info") {
        const windows = await Promise.all(
          // Each backend's for the model a Claude name goes to there (where its models differ in it).
          options.backends.map((backend) =>
            backend.contextSize(undefined, options.router.routeTo(backend.name, "info")?.model).catch(() => undefined),
          ),
        );
        const local = options.backends.findIndex((backend) => backend.local);
        return sendJson(response, 200, {
          contextWindow: windows[Math.max(local, 0)],
          backends: options.backends.map((backend, index) => ({
            name: backend.name,
            kind: backend.kind,
            local: backend.local,
            url: backend.local ? redactUrl(backend.baseUrl) : undefined,
            contextWindow: windows[index],
            ...(options.health ? { health: options.health.status(backend.name) } : {}),
          })),
          models: options.router.modelNames(),
        });
      }
      if (method === "POST" && (path === ENGINE_PAUSE_PATH || path === ENGINE_RESUME_PATH))
        return await handleEngineHandover(path, response, options.engine, options.backends, options.health);
      if (method === "GET" && path === "/v1/switchyard/turns") {
        const limit = Number(new URL(request.url ?? "/", "http://x").searchParams.get("limit") ?? "100");
        return sendJson(response, 200, { turns: options.recorder.recent(Number.isFinite(limit) ? limit : 100) });
      }
      if (method === "GET" && path === "/metrics" && options.metrics) {
        const text = await options.metrics.render();
        response.writeHead(200, { "content-type": options.metrics.contentType });
        response.end(text);
        return;
      }
      const summary = method === "GET" ? SESSION_SUMMARY_PATH.exec(path) : null;
      if (summary) {
        return await handleSessionSummary(response, summary[1] as string, options.store, options.recorder);
      }
      throw new SwitchyardError(`no route for ${method} ${path}`, { kind: "not_found", code: "no_route" });
    } catch (thrown) {
      const error = toSwitchyardError(thrown);
      const sendError = isOpenAIPath(path) ? sendOpenAIError : sendAnthropicError;
      if (!response.headersSent && !response.destroyed) sendError(response, error);
      else response.end();
    }
  });
  server.on("close", () => dashboard.close());
  // Agents hold connections open between turns. Deadlines cover receiving a request, never the answer
  // (a prefill of a long prompt can take minutes).
  server.keepAliveTimeout = 65_000;
  answerClientErrors(server, (path) => {
    const error = new SwitchyardError(
      `the request did not arrive in time (headers within ${limits.headersTimeoutMs} ms, all of it within ${limits.requestTimeoutMs} ms)`,
      { kind: "timeout", code: "request_timeout", status: 408 },
    );
    return isOpenAIPath(path) ? openAIErrorBody(error) : anthropicErrorBody(error);
  });
  capConnections(server, limits.maxConnections);
  return server;
}
