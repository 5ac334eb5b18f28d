import { afterEach, describe, expect, it } from "vitest";
import {
  type AnthropicProtocolServer,
  DOCUMENTED_COUNT_TOKENS,
  DOCUMENTED_HTTP_ERRORS,
  DOCUMENTED_MODELS_LIST,
  documentedError,
  readSseFixture,
  type Script,
  startAnthropicProtocolServer,
} from "../../../test/support/anthropic-protocol-server.js";
import { collectEvents, rejection } from "../../../test/support/iterate.js";
import type { CanonicalEvent } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicRequest,
} from "../../protocols/anthropic/parse-anthropic-request.js";
import { AnthropicBackend, type AnthropicBackendOptions } from "./anthropic-backend.js";

/** The key configured for the backend (ANTHROPIC_API_KEY), the one Anthropic must see. */
const USER_KEY = "sk-ant-api03-user-configured-key";
/** The model the router chose; the backend must send this, whatever the client asked for. */
const ROUTED_MODEL = "claude-sonnet-4-5-20250929";

// Request bodies from the same documentation page as the fixtures (the curl examples).
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
      name: "get_weather",
      description: "Get the current weather in a given location",
      input_schema: {
        type: "object",
        properties: { location: { type: "string", description: "The city and state, e.g. San Francisco, CA" } },
        required: ["location"],
      },
    },
  ],
  tool_choice: { type: "any" },
  messages: [{ role: "user", content: "What is the weather like in San Francisco?" }],
  stream: true,
};
const THINKING_BODY = {
  model: "claude-sonnet-4-5",
  max_tokens: 20000,
  stream: true,
  thinking: { type: "enabled", budget_tokens: 16000 },
  messages: [{ role: "user", content: "What is 27 * 453?" }],
};

const servers: AnthropicProtocolServer[] = [];
const backends: AnthropicBackend[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

async function setup(script: Script, options: Partial<AnthropicBackendOptions> = {}) {
  const server = await startAnthropicProtocolServer({ script });
  servers.push(server);
  const backend = new AnthropicBackend({ name: "anthropic-test", baseUrl: server.url, apiKey: USER_KEY, ...options });
  backends.push(backend);
  return { server, backend };
}

function streamOf(backend: AnthropicBackend, body: unknown, headers: Record<string, string> = {}) {
  return backend.stream(parseAnthropicRequest(body, headers), {
    model: ROUTED_MODEL,
    signal: new AbortController().signal,
  });
}

const sse =
  (fixture: string): Script =>
  () => ({ status: 200, sse: fixture });

/** Whatever `promise` rejects with (fails the test if it resolves). */
describe("AnthropicBackend against the documented Anthropic protocol", () => {
  it("(a) turns the documented text stream into canonical events, merging usage from message_start and message_delta", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    const events = await collectEvents(streamOf(backend, BASIC_BODY));

    expect(events).toEqual([
      {
        type: "message_start",
        id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
        model: "claude-sonnet-4-5",
        usage: { inputTokens: 25, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      },
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "Hello" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "!" } },
      { type: "block_end", index: 0 },
      {
        type: "done",
        stopReason: { unified: "end_turn", raw: "end_turn" },
        // input_tokens from message_start, output_tokens (cumulative) from message_delta; the documented
        // stream carries no cache fields, so they stay 0 and are marked unreported (not measured as 0).
        usage: {
          inputTokens: 25,
          outputTokens: 15,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          unreported: ["cacheReadTokens", "cacheWriteTokens"],
        },
      },
    ]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: "POST", path: "/v1/messages" });
  });

  it("(a′) reads the same stream when it arrives in small chunks split mid-line", async () => {
    const { backend } = await setup(() => ({ status: 200, sse: "text-stream", chunkBytes: 7 }));
    const events = await collectEvents(streamOf(backend, BASIC_BODY));
    expect(events.map((event) => event.type)).toEqual([
      "message_start",
      "block_start",
      "block_delta",
      "block_delta",
      "block_end",
      "done",
    ]);
    expect(events.at(-1)).toMatchObject({ usage: { inputTokens: 25, outputTokens: 15 } });
  });

  it("(b) turns the documented tool_use stream into a tool_call block whose partial_json parses to the documented input", async () => {
    const { backend } = await setup(sse("tool-use-stream"));
    const events = await collectEvents(streamOf(backend, TOOL_BODY));

    const text = events.flatMap((event) =>
      event.type === "block_delta" && event.index === 0 && event.delta.type === "text" ? [event.delta.text] : [],
    );
    expect(text.join("")).toBe("Okay, let's check the weather for San Francisco, CA:");

    expect(events).toContainEqual({
      type: "block_start",
      index: 1,
      block: { type: "tool_call", id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" },
    });
    const toolDeltas = events.filter((event) => event.type === "block_delta" && event.index === 1);
    expect(toolDeltas).toHaveLength(9);
    const json = toolDeltas.map((event) =>
      event.type === "block_delta" && event.delta.type === "tool_input" ? event.delta.json : "(not tool_input)",
    );
    expect(JSON.parse(json.join(""))).toEqual({ location: "San Francisco, CA", unit: "fahrenheit" });

    // Block order: text 0 opens and closes before tool 1 opens; tool 1 closes before done.
    const skeleton = events
      .filter((event) => event.type !== "block_delta")
      .map((event) => ("index" in event ? `${event.type}:${event.index}` : event.type));
    expect(skeleton).toEqual(["message_start", "block_start:0", "block_end:0", "block_start:1", "block_end:1", "done"]);
    expect(events.at(-1)).toEqual({
      type: "done",
      stopReason: { unified: "tool_use", raw: "tool_use" },
      usage: {
        inputTokens: 472,
        outputTokens: 89,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        unreported: ["cacheReadTokens", "cacheWriteTokens"],
      },
    });
  });

  it("(c) turns the documented extended-thinking stream into thinking deltas and a signature delta", async () => {
    const { backend } = await setup(sse("thinking-stream"));
    const events = await collectEvents(streamOf(backend, THINKING_BODY));

    expect(events[0]).toMatchObject({ type: "message_start", id: "msg_01..." });
    expect(events[1]).toEqual({ type: "block_start", index: 0, block: { type: "thinking" } });
    const thinking = events.flatMap((event) =>
      event.type === "block_delta" && event.delta.type === "thinking" ? [event.delta.text] : [],
    );
    expect(thinking).toHaveLength(6);
    expect(thinking.join("")).toBe(
      "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3" +
        "\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231",
    );
    // The signature arrives last in the thinking block, right before it closes.
    const signatureAt = events.findIndex((event) => event.type === "block_delta" && event.delta.type === "signature");
    expect(events[signatureAt]).toEqual({
      type: "block_delta",
      index: 0,
      delta: { type: "signature", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..." },
    });
    expect(events[signatureAt + 1]).toEqual({ type: "block_end", index: 0 });

    expect(events.slice(signatureAt + 2)).toEqual([
      { type: "block_start", index: 1, block: { type: "text" } },
      { type: "block_delta", index: 1, delta: { type: "text", text: "27 * 453 = 12,231" } },
      { type: "block_end", index: 1 },
      {
        type: "done",
        stopReason: { unified: "end_turn", raw: "end_turn" },
        // This documented example has no usage at all: the counts stay at zero and every field is unreported.
        usage: {
          inputTokens: 0,
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          unreported: ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens"],
        },
      },
    ]);
  });

  it("(d) passes a request from the Anthropic door through intact: only model and stream change, the user's key and anthropic-beta are sent", async () => {
    const clientBody = {
      model: "claude-sonnet-4-5",
      max_tokens: 1024,
      stream: false,
      system: [
        { type: "text", text: "You are a coding agent." },
        { type: "text", text: "Project conventions: ...", cache_control: { type: "ephemeral" } },
      ],
      tools: [
        {
          name: "get_weather",
          description: "Get the current weather in a given location",
          input_schema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
          cache_control: { type: "ephemeral" },
        },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is the weather like in San Francisco?", cache_control: { type: "ephemeral" } },
          ],
        },
      ],
      metadata: { user_id: "user_abc_session_123" },
      // A field the gateway does not know must survive too.
      context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
    };
    const clientHeaders = {
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31,context-management-2025-06-27",
      // The key the client presented to the gateway (SWITCHYARD_API_KEY): it must not travel upstream.
      "x-api-key": "switchyard-gateway-key",
      "content-type": "application/json",
    };
    const { server, backend } = await setup(sse("text-stream"));
    const events = await collectEvents(streamOf(backend, clientBody, clientHeaders));
    expect(events.at(-1)?.type).toBe("done");

    const sent = server.requests[0];
    expect(sent?.path).toBe("/v1/messages");
    expect(sent?.body).toEqual({ ...clientBody, model: ROUTED_MODEL, stream: true });
    const body = sent?.body as typeof clientBody;
    expect(body.system[1]?.cache_control).toEqual({ type: "ephemeral" });
    expect(body.tools[0]?.cache_control).toEqual({ type: "ephemeral" });
    expect(body.messages[0]?.content[0]?.cache_control).toEqual({ type: "ephemeral" });

    expect(sent?.headers["x-api-key"]).toBe(USER_KEY);
    expect(sent?.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31,context-management-2025-06-27");
    expect(sent?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it("(d′) sends anthropic-version 2023-06-01 and no anthropic-beta when the client sent none", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    await collectEvents(streamOf(backend, BASIC_BODY));
    expect(server.requests[0]?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(server.requests[0]?.headers["anthropic-beta"]).toBeUndefined();
    expect(server.requests[0]?.body).toEqual({ ...BASIC_BODY, model: ROUTED_MODEL });
  });

  describe("(e) HTTP errors before the first event are thrown as SwitchyardError", () => {
    const cases = [
      { status: 401, kind: "authentication", retryAfter: undefined },
      { status: 429, kind: "rate_limit", retryAfter: "30" },
      { status: 529, kind: "overloaded", retryAfter: undefined },
      { status: 400, kind: "invalid_request", retryAfter: undefined },
    ] as const;

    for (const { status, kind, retryAfter } of cases) {
      it(`${status} ${DOCUMENTED_HTTP_ERRORS[status]?.type} → kind ${kind}`, async () => {
        const { server, backend } = await setup(() =>
          documentedError(status, retryAfter ? { "retry-after": retryAfter } : undefined),
        );
        const error = await rejection(collectEvents(streamOf(backend, BASIC_BODY)));

        expect(error).toBeInstanceOf(SwitchyardError);
        expect(error).toMatchObject({ kind, status });
        expect((error as SwitchyardError).message).toContain(DOCUMENTED_HTTP_ERRORS[status]?.description);
        if (retryAfter) expect((error as SwitchyardError).retryAfterSeconds).toBe(30);
        else expect((error as SwitchyardError).retryAfterSeconds).toBeUndefined();
        expect(server.requests).toHaveLength(1);
      });
    }
  });

  it("(f) turns an `event: error` in the middle of the stream into a final error event, not a throw", async () => {
    // The documented text stream up to its first text delta (ping included), then the documented error event.
    const { backend } = await setup(() => ({
      status: 200,
      sse: [{ fixture: "text-stream", firstEvents: 4 }, "overloaded-error"],
    }));
    const events = await collectEvents(streamOf(backend, BASIC_BODY));

    expect(events.map((event) => event.type)).toEqual(["message_start", "block_start", "block_delta", "error"]);
    const last = events.at(-1);
    if (last?.type !== "error") throw new Error("expected a final error event");
    expect(last.error).toBeInstanceOf(SwitchyardError);
    expect(last.error).toMatchObject({ kind: "overloaded", status: 529, retryable: true });
    expect(last.error.message).toContain("Overloaded");
    expect(last.usage).toEqual({
      inputTokens: 25,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      unreported: ["cacheReadTokens", "cacheWriteTokens"],
    });
  });

  it("(f′) an `event: error` before message_start is thrown (the edge can still answer with an HTTP status)", async () => {
    const { backend } = await setup(() => ({ status: 200, sse: "overloaded-error" }));
    const error = await rejection(collectEvents(streamOf(backend, BASIC_BODY)));
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "overloaded", status: 529 });
  });

  describe("(g) a connection cut mid-stream becomes a final error event", () => {
    const fixture = readSseFixture("text-stream");
    const cuts = {
      "inside an event's data line": fixture.indexOf('"text": "!"'),
      "between two events": fixture.indexOf("event: content_block_stop"),
    };
    for (const [where, cutAfterBytes] of Object.entries(cuts)) {
      it(`cut ${where}`, async () => {
        expect(cutAfterBytes).toBeGreaterThan(0);
        const { server, backend } = await setup(() => ({ status: 200, sse: "text-stream", cutAfterBytes }));
        const events = await collectEvents(streamOf(backend, BASIC_BODY));

        expect(events[0]?.type).toBe("message_start");
        expect(events.some((event) => event.type === "done")).toBe(false);
        const last = events.at(-1);
        if (last?.type !== "error") throw new Error(`expected a final error event, got ${last?.type}`);
        expect(last.error).toBeInstanceOf(SwitchyardError);
        expect(["stream_interrupted", "stream_truncated"]).toContain(last.error.code);
        expect(last.usage).toMatchObject({ inputTokens: 25, outputTokens: 1 });
        await expect(server.closed(0)).resolves.toEqual({ complete: false });
      });
    }
  });

  it("(g′) a stream that ends cleanly without message_stop becomes a final stream_truncated error event", async () => {
    // Every documented event of the text stream except the closing message_stop, then a clean end.
    const { backend } = await setup(() => ({ status: 200, sse: [{ fixture: "text-stream", firstEvents: 7 }] }));
    const events = await collectEvents(streamOf(backend, BASIC_BODY));
    expect(events.map((event) => event.type)).toEqual([
      "message_start",
      "block_start",
      "block_delta",
      "block_delta",
      "block_end",
      "error",
    ]);
    const last = events.at(-1);
    if (last?.type !== "error") throw new Error("expected a final error event");
    expect(last.error.code).toBe("stream_truncated");
    // message_delta was read before the end: its output count is kept.
    expect(last.usage).toMatchObject({ inputTokens: 25, outputTokens: 15 });
  });

  it("(h) a refused connection throws SwitchyardError backend_unreachable", async () => {
    const { server, backend } = await setup(sse("text-stream"));
    await server.close(); // nothing listens on that port any more
    const error = await rejection(collectEvents(streamOf(backend, BASIC_BODY)));
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: "backend_unreachable", kind: "upstream", retryable: true });
  });

  it("(i) countTokens returns the server's input_tokens as exact and sends no max_tokens or stream", async () => {
    const { server, backend } = await setup((request) =>
      request.path === "/v1/messages/count_tokens"
        ? { status: 200, json: DOCUMENTED_COUNT_TOKENS }
        : documentedError(404),
    );
    // A full messages body (with max_tokens and stream) as the gateway may hold it.
    const count = await backend.countTokens(
      parseAnthropicRequest(BASIC_BODY, { "anthropic-beta": "token-counting-2024-11-01" }),
      { model: ROUTED_MODEL, signal: new AbortController().signal },
    );
    expect(count).toEqual({ tokens: 14, exact: true });

    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: "POST", path: "/v1/messages/count_tokens" });
    expect(sent?.body).toEqual({ model: ROUTED_MODEL, messages: [{ role: "user", content: "Hello" }] });
    expect(sent?.body).not.toHaveProperty("max_tokens");
    expect(sent?.body).not.toHaveProperty("stream");
    expect(sent?.headers["x-api-key"]).toBe(USER_KEY);
    expect(sent?.headers["anthropic-beta"]).toBe("token-counting-2024-11-01");
  });

  it("(i′) countTokens passes the documented count_tokens body through with the routed model", async () => {
    const { server, backend } = await setup(() => ({ status: 200, json: DOCUMENTED_COUNT_TOKENS }));
    const documented = {
      model: "claude-sonnet-4-5",
      system: "You are a scientist",
      messages: [{ role: "user", content: "Hello, Claude" }],
    };
    const count = await backend.countTokens(parseAnthropicCountTokensRequest(documented), {
      model: ROUTED_MODEL,
      signal: new AbortController().signal,
    });
    expect(count).toEqual({ tokens: 14, exact: true });
    expect(server.requests[0]?.body).toEqual({ ...documented, model: ROUTED_MODEL });
  });

  it("(i″) a countTokens HTTP error is thrown as SwitchyardError", async () => {
    const { backend } = await setup(() => documentedError(401));
    const error = await rejection(
      backend.countTokens(parseAnthropicRequest(BASIC_BODY), {
        model: ROUTED_MODEL,
        signal: new AbortController().signal,
      }),
    );
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "authentication", status: 401 });
  });

  it("(j) an AbortSignal aborted mid-stream ends the iteration promptly and closes the upstream socket", async () => {
    // The first four documented events, then the server holds the connection open without ending it.
    const prefix = readSseFixture("text-stream");
    const holdAfterBytes = prefix.indexOf("event: content_block_delta", prefix.indexOf('"text": "Hello"'));
    const { server, backend } = await setup(() => ({ status: 200, sse: "text-stream", holdAfterBytes }));
    const controller = new AbortController();
    const events: CanonicalEvent[] = [];
    let abortedAt = 0;

    for await (const event of backend.stream(parseAnthropicRequest(BASIC_BODY), {
      model: ROUTED_MODEL,
      signal: controller.signal,
    })) {
      events.push(event);
      if (event.type === "block_delta" && !controller.signal.aborted) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const tookMs = performance.now() - abortedAt;

    expect(abortedAt).toBeGreaterThan(0);
    expect(tookMs).toBeLessThan(1_000);
    expect(events.slice(0, 3).map((event) => event.type)).toEqual(["message_start", "block_start", "block_delta"]);
    expect(events.some((event) => event.type === "done")).toBe(false);
    // At most one more event after the abort, and if there is one it is the final error, not more content.
    expect(events.length).toBeLessThanOrEqual(4);
    if (events.length === 4) expect(events[3]?.type).toBe("error");
    // The server sees the client go away: its response closes before the server ended it.
    await expect(server.closed(0)).resolves.toEqual({ complete: false });
  });

  it("(j′) leaving the iteration early (break) also closes the upstream socket", async () => {
    const prefix = readSseFixture("text-stream");
    const holdAfterBytes = prefix.indexOf("event: content_block_delta", prefix.indexOf('"text": "Hello"'));
    const { server, backend } = await setup(() => ({ status: 200, sse: "text-stream", holdAfterBytes }));
    for await (const event of streamOf(backend, BASIC_BODY)) {
      if (event.type === "block_delta") break;
    }
    await expect(server.closed(0)).resolves.toEqual({ complete: false });
  });

  it("(k) listModels reads the documented models list and asks with the user's key", async () => {
    const { server, backend } = await setup(() => ({ status: 200, json: DOCUMENTED_MODELS_LIST }));
    await expect(backend.listModels()).resolves.toEqual(["claude-sonnet-4-20250514"]);
    expect(server.requests[0]).toMatchObject({ method: "GET", path: "/v1/models?limit=100" });
    expect(server.requests[0]?.headers["x-api-key"]).toBe(USER_KEY);
    expect(server.requests[0]?.headers["anthropic-version"]).toBe("2023-06-01");
    await expect(backend.health()).resolves.toEqual({ ok: true, detail: "ok" });
  });
});
