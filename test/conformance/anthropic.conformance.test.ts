import { AnthropicBackend } from "../../src/backends/anthropic/anthropic-backend.js";
import {
  composeSse,
  DOCUMENTED_COUNT_TOKENS,
  DOCUMENTED_MODELS_LIST,
  documentedError,
  startAnthropicProtocolServer,
} from "../support/anthropic-protocol-server.js";
import { describeBackendConformance } from "./backend-conformance.js";
import { bytesIntoEvent, startLoopbackRig } from "./loopback-rig.js";

// Anthropic's documented streams (test/fixtures/anthropic/README.md). None of them carries cache fields,
// so "cache-hit" cannot be staged; "max-tokens" has no documented stream either.
const cutPoint = bytesIntoEvent(composeSse("text-stream"), 4);

describeBackendConformance({
  name: "Anthropic (loopback, documented streams)",
  kind: "anthropic",
  expectedModels: DOCUMENTED_MODELS_LIST.data.map((model) => model.id),
  start: () =>
    startLoopbackRig({
      startServer: (script) => startAnthropicProtocolServer({ script }),
      backend: (url) => new AnthropicBackend({ name: "anthropic", baseUrl: url, apiKey: "sk-ant-conformance" }),
      model: "claude-sonnet-4-5-20250929",
      fixedAnswers: (request) => {
        if (request.path.startsWith("/v1/models")) return { status: 200, json: DOCUMENTED_MODELS_LIST };
        if (request.path === "/v1/messages/count_tokens") return { status: 200, json: DOCUMENTED_COUNT_TOKENS };
        return undefined;
      },
      stages: {
        text: { response: { status: 200, sse: "text-stream" } },
        thinking: { response: { status: 200, sse: "thinking-stream" } },
        "tool-call": {
          response: { status: 200, sse: "tool-use-stream" },
          request: (request) => ({
            ...request,
            tools: [{ name: "get_weather", description: "weather", inputSchema: { type: "object" } }],
          }),
        },
        "cache-unreported": { response: { status: 200, sse: "text-stream" } },
        "http-error": { response: documentedError(429, { "retry-after": "30" }), errorKind: "rate_limit" },
        cut: { response: { status: 200, sse: "text-stream", cutAfterBytes: cutPoint } },
        hold: { response: { status: 200, sse: "text-stream", holdAfterBytes: cutPoint } },
      },
    }),
});
