import type { FleetRouterKind } from "../../src/backends/openai-compatible/fleet-router.js";
import type { LoopbackServer, RecordedRequest } from "./loopback-server.js";
import { type ScriptedResponse, startOpenAIProtocolServer } from "./openai-protocol-server.js";
import { SGLANG_FIXTURE_DIR, SGLANG_MODELS_LIST } from "./sglang-protocol-server.js";
import { VLLM_FIXTURE_DIR, VLLM_MODELS_LIST } from "./vllm-protocol-server.js";

/**
 * Loopback fakes of the fleet routers Switchyard can sit in front of. Each answers with its engines'
 * recorded streams (vLLM's for the vLLM router, llm-d and Dynamo, which serve vLLM workers here;
 * SGLang's for the SGLang router), whose usage carries `prompt_tokens_details.cached_tokens`, because a
 * router passes its engine's stream through.
 *
 * Each enforces the session hint its project documents (the sources are in
 * src/backends/openai-compatible/fleet-router.ts) on every chat request, and REFUSES one without it
 * (400). The real routers would not refuse: they would place the request by load or by prefix alone,
 * and the lane's warm prefix could be on another engine. Refusing is how a test sees that happen.
 */
export interface FleetRouterFake {
  server: LoopbackServer;
  kind: FleetRouterKind;
  /** The hint each accepted chat request carried, in order (llm-d: the cookie, or `(first)`). */
  hints: string[];
  /** `cached_tokens` in the fixture stream every generation answers with. */
  cachedTokens: number;
}

const refuse = (message: string): ScriptedResponse => ({
  status: 400,
  json: { error: { message, type: "BadRequestError", param: null, code: 400 } },
});

const header = (request: RecordedRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
};

/** Whether the request continues a conversation (the model has answered in it before). */
const continues = (request: RecordedRequest) =>
  ((request.body as { messages?: Array<{ role?: string }> }).messages ?? []).some(
    (message) => message.role === "assistant",
  );

export async function startFleetRouterFake(
  kind: FleetRouterKind,
  options: { sessionHeader?: string } = {},
): Promise<FleetRouterFake> {
  const sglang = kind === "sglang-router";
  const hints: string[] = [];
  /** llm-d: the cookies this scheduler issued, one per conversation it placed. */
  const issued = new Set<string>();
  const hintOf = (request: RecordedRequest): string | ScriptedResponse => {
    switch (kind) {
      case "vllm-production-stack": {
        const name = (options.sessionHeader ?? "x-user-id").toLowerCase();
        return header(request, name) ?? refuse(`session routing: no ${name} header (--session-key ${name})`);
      }
      case "sglang-router":
        return header(request, "x-smg-routing-key") ?? refuse("manual policy: no X-SMG-Routing-Key header");
      case "dynamo":
        return header(request, "x-dynamo-session-id") ?? refuse("session affinity: no X-Dynamo-Session-ID header");
      case "llm-d": {
        const cookie = /(?:^|;\s*)llm-d-session=([^;]+)/.exec(header(request, "cookie") ?? "")?.[1];
        if (cookie !== undefined && !issued.has(cookie)) return refuse(`llm-d-session cookie ${cookie} was never set`);
        if (cookie === undefined && continues(request))
          return refuse("a conversation's next request came without the llm-d-session cookie set on its first");
        return cookie ?? "(first)";
      }
    }
  };
  const server = await startOpenAIProtocolServer({
    fixtureDir: sglang ? SGLANG_FIXTURE_DIR : VLLM_FIXTURE_DIR,
    strict: false,
    script: (request) => {
      if (request.method === "GET") return { status: 200, json: sglang ? SGLANG_MODELS_LIST : VLLM_MODELS_LIST };
      const hint = hintOf(request);
      if (typeof hint !== "string") return hint;
      hints.push(hint);
      const answer: ScriptedResponse = { status: 200, sse: sglang ? "text-stream" : "tool-stream" };
      if (kind === "llm-d" && hint === "(first)") {
        // The documented cookie: base64 of `namespace/pod`, Path=/, HttpOnly, SameSite=Lax.
        const cookie = Buffer.from(`default/vllm-decode-${issued.size}`).toString("base64");
        issued.add(cookie);
        answer.headers = { "set-cookie": `llm-d-session=${cookie}; Path=/; HttpOnly; SameSite=Lax` };
      }
      return answer;
    },
  });
  return { server, kind, hints, cachedTokens: sglang ? 16 : 256 };
}
