import type { Lane } from "../../sessions/lane.js";

/**
 * Fleet routers: servers that spread one OpenAI-compatible API over many engines and place each request
 * themselves, by prefix or by session. In front of one, Switchyard leaves placement to it (no slots, no
 * pins) and sends the session hint it documents, so every turn of a lane lands where that lane's prefix
 * is cached. Sources (docs/design/fleet-routers.md has the longer account):
 *
 * - `vllm-production-stack`: the router's session routing (`--routing-logic session`) reads the header
 *   named by `--session-key` (Helm: `routerSpec.sessionKey`, `x-user-id` in the project's tutorials) and
 *   hashes its value onto an engine; without it the request goes to the engine with the lowest QPS.
 *   vllm-project/production-stack `src/vllm_router/routers/routing_logic.py`, `SessionRouter.route_request`:
 *   `session_id = request.headers.get(self.session_key, None)`.
 * - `sglang-router`: the SGLang model gateway's `manual` policy and `consistent_hashing` (and the
 *   routing-key override on any policy) pin a key to a worker; the key is the `X-SMG-Routing-Key` header
 *   (an empty one counts as none). sgl-project/sglang `sgl-model-gateway/src/policies/manual.rs`
 *   ("Header: `X-SMG-Routing-Key`: the routing key for sticky session routing").
 * - `llm-d`: the inference scheduler's `session-affinity-scorer` answers with
 *   `Set-Cookie: llm-d-session=<base64 namespace/pod>` and scores the pod named by that cookie 1.0 on the
 *   next request that carries it. Switchyard keeps the cookie per lane and sends it back.
 *   llm-d/llm-d-inference-scheduler `docs/session_affinity.md` ("Cookie Details").
 * - `dynamo`: the frontend reads `X-Dynamo-Session-ID` (one reasoning/tool chain) and
 *   `X-Dynamo-Parent-Session-ID` (the parent of a subagent's chain); with
 *   `--router-session-affinity-ttl-secs` the router binds the session to a worker.
 *   ai-dynamo/dynamo docs, "Session IDs" (Session ID Inputs).
 *
 * The hint names the lane, not only the session: each lane (main agent, a subagent, side requests) is
 * its own append-only prompt, and what a router can keep warm is a prefix.
 */
export const FLEET_ROUTER_KINDS = ["vllm-production-stack", "sglang-router", "llm-d", "dynamo"] as const;
export type FleetRouterKind = (typeof FLEET_ROUTER_KINDS)[number];

export interface FleetRouterConfig {
  kind: FleetRouterKind;
  /** vLLM production stack only: the router's `--session-key` (default `x-user-id`). */
  sessionHeader?: string;
}

export const VLLM_ROUTER_DEFAULT_SESSION_HEADER = "x-user-id";
export const SGLANG_ROUTING_KEY_HEADER = "x-smg-routing-key";
export const LLM_D_SESSION_COOKIE = "llm-d-session";
export const DYNAMO_SESSION_HEADER = "x-dynamo-session-id";
export const DYNAMO_PARENT_SESSION_HEADER = "x-dynamo-parent-session-id";

/** Cookies kept for lanes an llm-d scheduler placed; the oldest go first beyond this. */
const MAX_REMEMBERED_LANES = 10_000;

/**
 * The routing key of a lane: its session and its name (`session:main`, `session:subagent:a1`),
 * percent-encoded where it holds what a header value may not (a session id is the client's text).
 */
export const laneRoutingKey = (lane: Lane) => {
  const key = `${lane.sessionId}:${lane.name}`;
  return /^[\x21-\x7e]+$/.test(key) ? key : encodeURIComponent(key);
};

/** What a fleet router is told about each request's lane, and what it answers that must be sent back. */
export class FleetRouterAffinity {
  /** llm-d's cookie per lane routing key, in the order last used (a Map keeps insertion order). */
  private readonly cookies = new Map<string, string>();

  constructor(readonly config: FleetRouterConfig) {}

  /** Headers for a request of `lane`; none for a request with no lane (count_tokens, health). */
  headers(lane: Lane | undefined): Record<string, string> {
    if (!lane) return {};
    const key = laneRoutingKey(lane);
    switch (this.config.kind) {
      case "vllm-production-stack":
        return { [(this.config.sessionHeader ?? VLLM_ROUTER_DEFAULT_SESSION_HEADER).toLowerCase()]: key };
      case "sglang-router":
        return { [SGLANG_ROUTING_KEY_HEADER]: key };
      case "llm-d": {
        const cookie = this.cookies.get(key);
        return cookie === undefined ? {} : { cookie: `${LLM_D_SESSION_COOKIE}=${cookie}` };
      }
      case "dynamo":
        return lane.kind === "subagent"
          ? {
              [DYNAMO_SESSION_HEADER]: key,
              [DYNAMO_PARENT_SESSION_HEADER]: laneRoutingKey({ ...lane, name: "main", kind: "main" }),
            }
          : { [DYNAMO_SESSION_HEADER]: key };
      default: {
        const unknownKind: never = this.config.kind;
        throw new Error(`unknown fleet router ${String(unknownKind)}`);
      }
    }
  }

  /** Reads what the router placed the lane with (llm-d's cookie) from a response's headers. */
  observe(lane: Lane | undefined, headers: Record<string, string | string[] | undefined>): void {
    if (!lane || this.config.kind !== "llm-d") return;
    const setCookie = headers["set-cookie"];
    const values = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
    for (const value of values) {
      const [pair] = value.split(";");
      const separator = pair?.indexOf("=") ?? -1;
      if (!pair || separator < 0 || pair.slice(0, separator).trim() !== LLM_D_SESSION_COOKIE) continue;
      const key = laneRoutingKey(lane);
      this.cookies.delete(key);
      this.cookies.set(key, pair.slice(separator + 1).trim());
      if (this.cookies.size > MAX_REMEMBERED_LANES) {
        const oldest = this.cookies.keys().next().value;
        if (oldest !== undefined) this.cookies.delete(oldest);
      }
    }
  }
}
