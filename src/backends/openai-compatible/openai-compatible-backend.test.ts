import { afterEach, describe, expect, it } from "vitest";
import { checkAnthropicStream } from "../../../test/support/anthropic-sse-checker.js";
import { fixtureRequests, replayHeaders } from "../../../test/support/fixtures.js";
import { collectEvents, rejection } from "../../../test/support/iterate.js";
import {
  DOCUMENTED_HTTP_ERRORS,
  DOCUMENTED_MODELS_LIST,
  documentedError,
  type OpenAIProtocolServer,
  type Script,
  startOpenAIProtocolServer,
} from "../../../test/support/openai-protocol-server.js";
import { configSchema } from "../../config/config-schema.js";
import type { CanonicalRequest } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import { encodeAnthropicEvent } from "../../protocols/anthropic/anthropic-stream-encoder.js";
import { parseAnthropicRequest } from "../../protocols/anthropic/parse-anthropic-request.js";
import { type BackendConfig, createBackend } from "../registry/backend-registry.js";
import {
  OpenAICompatibleBackend,
  type OpenAICompatibleOptions,
  TOOLS_AS_TEXT_NOTE,
} from "./openai-compatible-backend.js";
import { OPENAI_SERVER_COMPAT } from "./openai-server-compat.js";
import { toOpenAICompatibleBody } from "./to-openai-compatible-body.js";

const API_KEY = "nvapi-test-configured-key";
/** The model the router chose; the backend must send this, whatever the client asked for. */
const ROUTED_MODEL = "meta/llama-3.3-70b-instruct";
const LLAMA_CPP_ONLY = ["cache_prompt", "timings_per_token", "id_slot", "chat_template_kwargs"];

const BASIC_BODY = {
  model: "claude-sonnet-4-5",
  messages: [{ role: "user", content: "Hello" }],
  max_tokens: 256,
  stream: true,
};
const TOOL_BODY = {
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  tools: [
    {
      name: "GetWeatherArgs",
      description: "weather",
      input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
    {
      name: "get_stock_price",
      description: "stock price",
      input_schema: { type: "object", properties: { ticker: { type: "string" } }, required: ["ticker"] },
    },
  ],
  messages: [{ role: "user", content: "What's the weather in Edinburgh and the price of AAPL?" }],
  stream: true,
};

const servers: OpenAIProtocolServer[] = [];
const backends: OpenAICompatibleBackend[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

async function setup(script: Script, options: Partial<OpenAICompatibleOptions> = {}) {
  const server = await startOpenAIProtocolServer({ script });
  servers.push(server);
  const backend = new OpenAICompatibleBackend({
    name: "oai-test",
    baseUrl: `${server.url}/v1`,
    apiKey: API_KEY,
    ...options,
  });
  backends.push(backend);
  return { server, backend };
}

const run = (backend: OpenAICompatibleBackend, request: CanonicalRequest) =>
  collectEvents(backend.stream(request, { model: ROUTED_MODEL, signal: new AbortController().signal }));

const sse =
  (fixture: string): Script =>
  () => ({ status: 200, sse: fixture });

const CHAT_ROLES = new Set(["system", "user", "assistant", "tool"]);

/** A chat completions request body as OpenAI's API reference defines it, for the fields we send. */
function expectValidChatBody(body: unknown): asserts body is { messages: Array<Record<string, unknown>> } {
  expect(body).toBeTypeOf("object");
  const record = body as Record<string, unknown>;
  expect(record.model).toBe(ROUTED_MODEL);
  expect(record.stream).toBe(true);
  expect(record.stream_options).toEqual({ include_usage: true });
  for (const field of LLAMA_CPP_ONLY) expect(record).not.toHaveProperty(field);
  expect(Array.isArray(record.messages)).toBe(true);
  const messages = record.messages as Array<Record<string, unknown>>;
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) {
    expect(CHAT_ROLES.has(String(message.role))).toBe(true);
    if (message.role === "tool") expect(message.tool_call_id).toBeTypeOf("string");
    if (message.role === "tool" || message.role === "system") expect(message.content).toBeTypeOf("string");
    if (message.role === "user")
      expect(typeof message.content === "string" || Array.isArray(message.content)).toBe(true);
    if (message.role === "assistant" && message.tool_calls !== undefined) {
      for (const call of message.tool_calls as Array<{ type: string; function: { arguments: string } }>) {
        expect(call.type).toBe("function");
        expect(() => JSON.parse(call.function.arguments)).not.toThrow();
      }
    }
  }
  if (record.tools !== undefined) {
    for (const tool of record.tools as Array<{ type: string; function: { name: string } }>) {
      expect(tool.type).toBe("function");
      expect(tool.function.name).toBeTypeOf("string");
    }
  }
}

describe("OpenAICompatibleBackend against the OpenAI Chat Completions protocol", () => {
  it("turns the API reference's text stream into canonical events (no usage chunk there, so usage unreported)", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    const events = await run(backend, parseAnthropicRequest(BASIC_BODY));

    const start = events[0];
    expect(start?.type).toBe("message_start");
    expect(events.slice(1)).toEqual([
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "Hello" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "!" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: " today" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "?" } },
      { type: "block_end", index: 0 },
      {
        type: "done",
        stopReason: { unified: "end_turn", raw: "stop" },
        usage: {
          inputTokens: 0,
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          unreported: ["inputTokens", "outputTokens", "cacheReadTokens"],
        },
        timings: {},
      },
    ]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.method).toBe("POST");
    expect(server.requests[0]?.path).toBe("/v1/chat/completions");
  });

  it("turns openai-python's recorded two-tool-call stream into tool_call blocks with concatenated arguments and usage", async () => {
    const { backend } = await setup(sse("openai-two-tool-calls-stream"));
    const events = await run(backend, parseAnthropicRequest(TOOL_BODY));

    const starts = events.filter((event) => event.type === "block_start");
    expect(starts.map((event) => event.block)).toEqual([
      { type: "tool_call", id: "call_lQnnsesjFMWMQ5IeWPHzR4th", name: "GetWeatherArgs" },
      { type: "tool_call", id: "call_2xjOUgaCdiwAcl9ZBL9LyMUU", name: "get_stock_price" },
    ]);
    const argumentsOf = (index: number) =>
      events
        .flatMap((event) =>
          event.type === "block_delta" && event.index === index && event.delta.type === "tool_input"
            ? [event.delta.json]
            : [],
        )
        .join("");
    expect(JSON.parse(argumentsOf(0))).toEqual({ city: "Edinburgh", country: "UK", units: "c" });
    expect(JSON.parse(argumentsOf(1))).toEqual({ ticker: "AAPL", exchange: "NASDAQ" });
    const done = events.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") return;
    expect(done.stopReason.unified).toBe("tool_use");
    // The recorded usage chunk has no prompt_tokens_details: all 149 count as prefilled, reuse is unknown.
    expect(done.usage).toEqual({
      inputTokens: 149,
      outputTokens: 60,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      unreported: ["cacheReadTokens"],
    });
  });

  it("sends the Bearer key and a body without llama.cpp-only fields, to {baseUrl}/chat/completions", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    await run(backend, parseAnthropicRequest({ ...TOOL_BODY, thinking: { type: "enabled", budget_tokens: 2048 } }));
    const recorded = server.requests[0];
    expect(recorded?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(recorded?.headers["content-type"]).toBe("application/json");
    expectValidChatBody(recorded?.body);
    const body = recorded?.body as Record<string, unknown>;
    expect(body.max_tokens).toBe(1024);
    expect((body.tools as unknown[]).length).toBe(2);
  });

  it("sends no Authorization header when no key is configured", async () => {
    const { server, backend } = await setup(sse("text-stream"), { apiKey: undefined });
    await run(backend, parseAnthropicRequest(BASIC_BODY));
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("keeps a mid-conversation system message in place as role system, and images as image_url", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    const request: CanonicalRequest = {
      ...parseAnthropicRequest(BASIC_BODY),
      system: [{ type: "text", text: "You are terse." }],
      messages: [
        { role: "user", parts: [{ type: "text", text: "a" }] },
        { role: "assistant", parts: [{ type: "text", text: "b" }] },
        { role: "system", parts: [{ type: "text", text: "mid" }] },
        {
          role: "user",
          parts: [
            { type: "text", text: "c" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
          ],
        },
      ],
    };
    await run(backend, request);
    const body = server.requests[0]?.body;
    expectValidChatBody(body);
    expect(body.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "system", "user"]);
    expect(body.messages[3]).toEqual({ role: "system", content: "mid" });
    expect(body.messages[4]?.content).toEqual([
      { type: "text", text: "c" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    ]);
  });

  it.each([
    [401, "authentication", "upstream_auth", undefined],
    [429, "rate_limit", "upstream_rate_limit", 7],
    [500, "upstream", "upstream_error", undefined],
  ] as const)("maps the documented HTTP %i error", async (status, kind, code, retryAfterSeconds) => {
    const { backend } = await setup(() => documentedError(status, status === 429 ? { "retry-after": "7" } : undefined));
    const error = await rejection(run(backend, parseAnthropicRequest(BASIC_BODY)));
    expect(error).toBeInstanceOf(SwitchyardError);
    const failure = error as SwitchyardError;
    expect(failure.kind).toBe(kind);
    expect(failure.code).toBe(code);
    expect(failure.retryAfterSeconds).toBe(retryAfterSeconds);
    expect(failure.message).toBe(`oai-test: ${DOCUMENTED_HTTP_ERRORS[status]?.message}`);
  });

  it("labels countTokens as an estimate", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    const request = parseAnthropicRequest(TOOL_BODY);
    const count = await backend.countTokens(request, { model: ROUTED_MODEL, signal: new AbortController().signal });
    expect(count.exact).toBe(false);
    const text = JSON.stringify({ system: request.system, messages: request.messages, tools: request.tools });
    expect(count.tokens).toBe(Math.ceil(text.length / 4));
    expect(server.requests).toHaveLength(0);
  });

  it("lists models from GET {baseUrl}/models (with the key), or the configured list without asking", async () => {
    const { server, backend } = await setup(() => ({ status: 200, json: DOCUMENTED_MODELS_LIST }));
    expect(await backend.listModels()).toEqual(["model-id-0", "model-id-1", "model-id-2"]);
    expect(server.requests[0]?.path).toBe("/v1/models");
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(await backend.health()).toEqual({ ok: true, detail: "ok" });
    expect(await backend.contextSize()).toBeUndefined();
    expect(backend.local).toBe(false);

    const configured = await setup(() => documentedError(500), { models: ["a", "b"], local: true });
    expect(await configured.backend.listModels()).toEqual(["a", "b"]);
    expect(configured.server.requests).toHaveLength(0);
    expect(configured.backend.local).toBe(true);
  });

  it("reports unhealthy when the models list fails", async () => {
    const { backend } = await setup(() => documentedError(401));
    const health = await backend.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain("Incorrect API key provided");
  });
});

describe("Claude Code traffic through the OpenAI-compatible backend", () => {
  const recorded = fixtureRequests("basic-session").filter((request) => request.body !== null);

  it("replays every basic-session request: valid chat bodies upstream, valid Anthropic SSE back", async () => {
    expect(recorded.length).toBeGreaterThan(0);
    const { server, backend } = await setup(sse("text-stream"));
    for (const [position, fixture] of recorded.entries()) {
      const request = parseAnthropicRequest(fixture.body, replayHeaders(fixture));
      const events = await run(backend, request);
      const check = checkAnthropicStream(events.map(encodeAnthropicEvent).join(""));
      expect(check.violations, fixture.file).toEqual([]);
      expect(check.message?.content, fixture.file).toEqual([{ type: "text", text: "Hello! today?" }]);
      expect(check.message?.stop_reason, fixture.file).toBe("end_turn");

      const upstream = server.requests[position];
      expect(upstream?.path, fixture.file).toBe("/v1/chat/completions");
      expect(upstream?.headers.authorization, fixture.file).toBe(`Bearer ${API_KEY}`);
      const upstreamBody = upstream?.body;
      expectValidChatBody(upstreamBody);
      const messages = upstreamBody.messages;
      // The canonical system messages are exactly the chat system messages, in the same order and place:
      // with native compat, nothing is hoisted or turned into a user turn.
      const canonicalSystems = request.messages.filter((message) => message.role === "system").length;
      const leading = request.system.length > 0 ? 1 : 0;
      expect(messages.filter((message) => message.role === "system").length, fixture.file).toBe(
        leading + canonicalSystems,
      );
      if (leading) expect(messages[0]?.role, fixture.file).toBe("system");
    }
    expect(server.requests).toHaveLength(recorded.length);
  });
});

describe("vLLM and SGLang compat data", () => {
  const thinkingHistory = () =>
    parseAnthropicRequest({
      model: "claude-sonnet-4-5",
      max_tokens: 256,
      top_k: 20,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: "a" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "pondering", signature: "sig" },
            { type: "text", text: "b" },
          ],
        },
        { role: "user", content: "c" },
      ],
      system: "You are terse.",
    });

  it("vLLM gets chat_template_kwargs, top_k, the reasoning back as `reasoning`, and mid-conversation system as a user turn", () => {
    const body = toOpenAICompatibleBody(thinkingHistory(), "Qwen/Qwen3-8B", {
      ...OPENAI_SERVER_COMPAT.vllm,
      templateKwargs: { preserve_thinking: true },
    });
    expect(body.chat_template_kwargs).toEqual({ preserve_thinking: true, enable_thinking: true });
    expect(body.top_k).toBe(20);
    const assistant = (body.messages as Array<Record<string, unknown>>)[2];
    expect(assistant).toMatchObject({ role: "assistant", content: "b", reasoning: "pondering" });
    expect(assistant).not.toHaveProperty("reasoning_content");
    for (const field of ["cache_prompt", "timings_per_token", "id_slot"]) expect(body).not.toHaveProperty(field);
  });

  it("SGLang keeps `reasoning_content`; a hosted API gets neither chat_template_kwargs nor top_k", () => {
    const sglang = toOpenAICompatibleBody(thinkingHistory(), "m", OPENAI_SERVER_COMPAT.sglang);
    expect((sglang.messages as Array<Record<string, unknown>>)[2]).toMatchObject({ reasoning_content: "pondering" });
    expect(sglang.chat_template_kwargs).toEqual({ enable_thinking: true });
    const hosted = toOpenAICompatibleBody(thinkingHistory(), "m");
    expect(hosted).not.toHaveProperty("chat_template_kwargs");
    expect(hosted).not.toHaveProperty("top_k");
  });

  it("counts with vLLM's POST /tokenize at the server root: the chat's messages and tools, the answer's count", async () => {
    const { server, backend } = await setup(
      (request) =>
        request.path === "/tokenize"
          ? { status: 200, json: { count: 42, max_model_len: 32768, tokens: [] } }
          : documentedError(500),
      { flavor: "vllm" },
    );
    const request = parseAnthropicRequest(TOOL_BODY);
    const count = await backend.countTokens(request, { model: ROUTED_MODEL, signal: new AbortController().signal });
    expect(count).toEqual({ tokens: 42, exact: true });
    const sent = server.requests[0];
    expect(sent?.path).toBe("/tokenize");
    const body = sent?.body as Record<string, unknown>;
    expect(body.model).toBe(ROUTED_MODEL);
    expect(body.messages).toEqual(toOpenAICompatibleBody(request, ROUTED_MODEL, OPENAI_SERVER_COMPAT.vllm).messages);
    expect((body.tools as unknown[]).length).toBe(2);
    expect(body.add_generation_prompt).toBe(true);
    expect(backend.kind).toBe("vllm");
    expect(backend.local).toBe(true);
  });

  it("`toolsAsText` from the config (SGLang without --tool-call-parser): tools as text, and the health check says so", async () => {
    const backend = createBackend(
      configSchema.parse({
        backends: [{ name: "sglang", type: "sglang", url: "http://127.0.0.1:1", toolsAsText: true }],
      }).backends[0] as BackendConfig,
    ) as OpenAICompatibleBackend;
    backends.push(backend);
    expect(backend.compat.toolsAsText).toBe(true);
    const body = toOpenAICompatibleBody(parseAnthropicRequest(TOOL_BODY), "m", backend.compat);
    expect(body).not.toHaveProperty("tools");
    expect(JSON.stringify(body.messages)).toContain("You can call the tools below.");
    const { backend: listing } = await setup(() => ({ status: 200, json: DOCUMENTED_MODELS_LIST }), {
      compat: { toolsAsText: true },
    });
    expect(await listing.health()).toEqual({ ok: true, detail: `ok; ${TOOLS_AS_TEXT_NOTE}` });
  });

  it("an SGLang count is a labelled estimate, asking the server nothing", async () => {
    const { server, backend } = await setup(() => documentedError(500), { flavor: "sglang" });
    const count = await backend.countTokens(parseAnthropicRequest(TOOL_BODY), {
      model: ROUTED_MODEL,
      signal: new AbortController().signal,
    });
    expect(count.exact).toBe(false);
    expect(server.requests).toHaveLength(0);
  });
});
