import { createServer, type Server, type ServerResponse } from "node:http";
import type { Backend } from "../backends/backend.js";
import type { BackendHealthMonitor } from "../backends/backend-health.js";
import { SwitchyardError, toSwitchyardError } from "../core/errors.js";
import { createDashboardRoutes } from "../dashboard/dashboard-routes.js";
import type { SessionRouter } from "../routing/session-router.js";
import { apiKeyChecker, presentedKey } from "../security/api-key.js";
import { applyCors } from "../security/cors.js";
import { redactSecrets, redactUrl } from "../security/redact-secrets.js";
import { LaneTracker } from "../sessions/lane-tracker.js";
import type { TurnStore } from "../store/turn-store.js";
import type { GatewayMetrics } from "../telemetry/gateway-metrics.js";
import { MemoryTurnSource } from "../telemetry/memory-turn-source.js";
import type { TurnRecorder } from "../telemetry/turn-record.js";
import type { TurnSource } from "../telemetry/turn-source.js";
import { RepeatedJsonMembers } from "../util/repeated-json-members.js";
import { handleCountTokens, handleListModels, handleMessages, sendAnthropicError } from "./anthropic-routes.js";
import { sendJson } from "./http-body.js";
import type { ModelRouter } from "./model-router.js";
import { handleChatCompletions, sendOpenAIError } from "./openai-routes.js";
import { answerProbe } from "./probe-routes.js";
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
  routing?: SessionRouter;
  /** Periodic checks with backoff; their state shows in /health and /v1/switchyard/info. */
  health?: BackendHealthMonitor;
  /** Served at GET /metrics (behind the API key like the API). */
  metrics?: GatewayMetrics;
  /** The durable turn store, when enabled. */
  store?: TurnStore;
}

async function handleHealth(
  response: ServerResponse,
  backends: readonly Backend[],
  health: BackendHealthMonitor | undefined,
): Promise<void> {
  const checks = await Promise.all(
    backends.map(async (backend) => ({
      name: backend.name,
      kind: backend.kind,
      url: redactUrl(backend.baseUrl),
      ...(await backend.health()),
      ...(health ? { monitor: health.status(backend.name) } : {}),
    })),
  );
  const ok = checks.some((check) => check.ok);
  const shown = checks.map((check) => ({ ...check, detail: redactSecrets(check.detail) }));
  sendJson(response, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", backends: shown });
}

/** What agents send unchanged turn after turn: tool definitions, the system prompt, earlier messages. */
export const REPEATED_PARTS = { members: ["tools", "system"], elementsOf: ["messages"] };

/** The gateway's HTTP server: routes, auth, and errors in the client's protocol. */
export function createGatewayServer(options: GatewayOptions): Server {
  const context = {
    router: options.router,
    recorder: options.recorder,
    lanes: new LaneTracker(),
    bodyLimitBytes: options.bodyLimitBytes,
    repeatedMembers: new RepeatedJsonMembers(REPEATED_PARTS),
    logBody: options.logBody,
    routing: options.routing,
  };
  const keyMatches = options.apiKey ? apiKeyChecker(options.apiKey) : undefined;
  const dashboard = createDashboardRoutes({
    // The store's reads commit its queue first, so a turn the live event stream has just announced
    // (the recorder's listeners all run before any request is read) is already there.
    source: options.turnSource ?? options.store ?? new MemoryTurnSource(options.recorder),
    recorder: options.recorder,
    backends: options.backends,
    keyMatches,
  });
  const server = createServer(async (request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const method = request.method ?? "GET";
    try {
      if (applyCors(request, response, options.corsOrigins)) return;
      if (answerProbe(method, path, response)) return;
      if (await dashboard.handle(request, response, path)) return;
      if (method === "GET" && path === "/") {
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        response.end("Switchyard gateway (the dashboard is here in a browser)\n");
        return;
      }
      if (method === "GET" && path === "/health") return await handleHealth(response, options.backends, options.health);
      if (keyMatches && !keyMatches(presentedKey(request))) {
        throw new SwitchyardError("invalid or missing API key (x-api-key or Authorization: Bearer)", {
          kind: "authentication",
          code: "bad_api_key",
        });
      }
      if (method === "POST" && path === "/v1/messages") return await handleMessages(request, response, context);
      if (method === "POST" && path === "/v1/chat/completions") {
        return await handleChatCompletions(request, response, context);
      }
      if (method === "POST" && path === "/v1/messages/count_tokens")
        return await handleCountTokens(request, response, context);
      if (method === "GET" && path === "/v1/models") return handleListModels(response, options.router);
      if (method === "GET" && path === "/v1/switchyard/info") {
        const windows = await Promise.all(
          options.backends.map((backend) => backend.contextSize().catch(() => undefined)),
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
      // Errors in the shape of the client's protocol: OpenAI's for its paths, Anthropic's elsewhere.
      const sendError = path === "/v1/chat/completions" ? sendOpenAIError : sendAnthropicError;
      if (!response.headersSent && !response.destroyed) sendError(response, error);
      else response.end();
    }
  });
  // Agents hold connections open between turns; prefill of a long prompt can take minutes.
  server.on("close", () => dashboard.close());
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return server;
}
