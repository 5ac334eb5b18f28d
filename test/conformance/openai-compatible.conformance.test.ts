import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/openai-compatible-backend.js";
import {
  DOCUMENTED_MODELS_LIST,
  documentedError,
  readOpenAIFixture,
  startOpenAIProtocolServer,
} from "../support/openai-protocol-server.js";
import { describeBackendConformance } from "./backend-conformance.js";
import { bytesIntoEvent, startLoopbackRig } from "./loopback-rig.js";

// OpenAI's documented and recorded streams, plus streams recorded from llama-server (another
// OpenAI-compatible server) for what OpenAI's API does not send: see test/fixtures/openai/README.md.
const cutPoint = bytesIntoEvent(readOpenAIFixture("text-stream"), 2);

describeBackendConformance({
  name: "OpenAI-compatible cloud (loopback)",
  kind: "openai-compatible",
  expectedModels: DOCUMENTED_MODELS_LIST.data.map((model) => model.id),
  start: () =>
    startLoopbackRig({
      startServer: (script) => startOpenAIProtocolServer({ script }),
      backend: (url) =>
        new OpenAICompatibleBackend({ name: "cloud", baseUrl: `${url}/v1`, apiKey: "nvapi-conformance" }),
      model: "meta/llama-3.3-70b-instruct",
      fixedAnswers: (request) =>
        request.path === "/v1/models" ? { status: 200, json: DOCUMENTED_MODELS_LIST } : undefined,
      stages: {
        text: { response: { status: 200, sse: "text-stream" } },
        thinking: { response: { status: 200, sse: "llama-server-thinking" } },
        "tool-call": {
          response: { status: 200, sse: "openai-two-tool-calls-stream" },
          // The tools of the recorded request (openai-python's test_parse_multiple_pydantic_tools).
          request: (request) => ({
            ...request,
            tools: [
              { name: "GetWeatherArgs", description: "weather", inputSchema: { type: "object" } },
              { name: "get_stock_price", description: "stock price", inputSchema: { type: "object" } },
            ],
          }),
        },
        "max-tokens": { response: { status: 200, sse: "llama-server-max-tokens" } },
        "cache-hit": { response: { status: 200, sse: "llama-server-no-thinking" } },
        "cache-unreported": { response: { status: 200, sse: "openai-two-tool-calls-stream" } },
        "http-error": { response: documentedError(429, { "retry-after": "7" }), errorKind: "rate_limit" },
        cut: { response: { status: 200, sse: "text-stream", cutAfterBytes: cutPoint } },
        hold: { response: { status: 200, sse: "text-stream", holdAfterBytes: cutPoint } },
      },
    }),
});
