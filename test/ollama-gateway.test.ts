import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OllamaMessage } from "../src/backends/ollama/to-ollama-chat.js";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { type FixtureRequest, fixtureRequests, replayHeaders } from "./support/fixtures.js";
import {
  DOCUMENTED_SHOW,
  DOCUMENTED_TAGS,
  modelNotFound,
  type OllamaProtocolServer,
  type OllamaScriptedResponse,
  startOllamaProtocolServer,
} from "./support/ollama-protocol-server.js";
import { accumulateOpenAIStream } from "./support/openai-chunk-accumulator.js";
import { waitForTurns } from "./support/turn-records.js";

/** Switchyard on a free port with the loopback Ollama as its one backend. */
const gatewayIn = (ollama: OllamaProtocolServer) =>
  startSwitchyard({
    config: configSchema.parse({
      backends: [{ name: "ollama", type: "ollama", url: ollama.url }],
      telemetry: { turnsFile: null },
    }),
    host: "127.0.0.1",
    port: 0,
    probeLocal: false,
  });

/**
 * Recorded Claude Code requests and an OpenAI-protocol client, through Switchyard, to Ollama. Ollama
 * cannot run here: it is the loopback server replaying Ollama's documented and recorded wire data
 * (test/fixtures/ollama/README.md). Its /api/show answer is the documented one with the capabilities
 * a qwen3.5 model lists (completion, tools, thinking).
 */
describe("Switchyard in front of Ollama (loopback)", () => {
  let ollama: OllamaProtocolServer;
  let gateway: RunningSwitchyard;
  let chatAnswer: OllamaScriptedResponse = { status: 200, ndjson: "chat-stream" };
  /** What /api/tags lists: the documented models until a test pulls another. */
  let tags = DOCUMENTED_TAGS;

  beforeAll(async () => {
    ollama = await startOllamaProtocolServer({
      script: (request) => {
        if (request.path === "/api/show")
          return { status: 200, json: { ...DOCUMENTED_SHOW, capabilities: ["completion", "tools", "thinking"] } };
        if (request.path === "/api/tags") return { status: 200, json: tags };
        return request.path === "/api/chat" ? chatAnswer : undefined;
      },
    });
    gateway = await gatewayIn(ollama);
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });

  const turns = async (count: number) => {
    await waitForTurns(gateway.recorder, count);
    return gateway.recorder.recent();
  };
  const lastChat = () =>
    ollama.requests.filter((request) => request.path === "/api/chat").at(-1)?.body as {
      model: string;
      messages: OllamaMessage[];
      think?: unknown;
      tools?: unknown[];
    };
  const replay = (request: FixtureRequest, body: Record<string, unknown> = {}) =>
    fetch(`${gateway.url}${request.url}`, {
      method: "POST",
      headers: { ...replayHeaders(request), "content-type": "application/json" },
      body: JSON.stringify({ ...request.body, ...body }),
    });
  const session = fixtureRequests("basic-session").filter((request) => request.body?.tools);

  it("serves a recorded Claude Code turn as a valid Anthropic stream, with the prompt in place", async () => {
    chatAnswer = { status: 200, ndjson: "qwen35-thinking-tool-calls" };
    const [turn] = session.slice(1);
    if (!turn) throw new Error("fixture missing");
    const response = await replay(turn);
    expect(response.status).toBe(200);
    const check = checkAnthropicStream(await response.text());
    expect(check.violations).toEqual([]);
    expect(check.message?.content.map((block) => block.type)).toEqual(["thinking", "tool_use", "tool_use"]);
    expect(check.message?.stop_reason).toBe("tool_use");
    expect(check.message?.usage.input_tokens).toBe(557);

    const sent = lastChat();
    expect(sent.model).toBe("deepseek-r1:latest");
    expect(sent.think).toBe(true);
    expect(sent.tools?.length).toBe((turn.body?.tools as unknown[] | undefined)?.length);
    expect(sent.messages.filter((message) => message.role === "system")).toHaveLength(1);
    expect(sent.messages[0]?.role).toBe("system");
    expect(sent.messages.some((message) => message.content.startsWith("<system-reminder>"))).toBe(true);
    expect(sent.messages.filter((message) => message.role === "tool").every((message) => message.tool_name)).toBe(true);

    const record = (await turns(1)).at(-1);
    expect(record).toMatchObject({ backend: "ollama", backendLocal: true, status: 200, promptTokens: 557 });
    expect(record?.outputTokens).toBe(213);
    // Ollama does not say what it reused: the record says unknown, not 0.
    expect(record?.reusedTokens).toBeUndefined();
    expect(record?.prefilledTokens).toBeUndefined();
    expect(record?.timings?.loadMs).toBeCloseTo(8821.849047, 3);
  });

  it("does not claim a cache miss on the next turn of the lane, since Ollama reports no reuse", async () => {
    chatAnswer = { status: 200, ndjson: "chat-history-tools" };
    const [, next] = session.slice(1);
    if (!next) throw new Error("fixture missing");
    const response = await replay(next);
    expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
    const record = (await turns(2)).at(-1);
    expect(record?.expectedReuse).toBe(557);
    expect(record?.miss).toBeUndefined();
  });

  it("answers a non-streaming request with the whole message", async () => {
    chatAnswer = { status: 200, ndjson: "chat-history-tools" };
    const [turn] = session.slice(1);
    if (!turn) throw new Error("fixture missing");
    const response = await replay(turn, { stream: false });
    expect(response.status).toBe(200);
    const message = (await response.json()) as { content: Array<{ type: string; text?: string }>; stop_reason: string };
    expect(message.content).toEqual([{ type: "text", text: "The current temperature in Toronto is 11°C." }]);
    expect(message.stop_reason).toBe("end_turn");
  });

  it("ends the Anthropic stream with an error event when Ollama fails mid-stream", async () => {
    chatAnswer = { status: 200, ndjson: "mid-stream-error" };
    const [turn] = session.slice(1);
    if (!turn) throw new Error("fixture missing");
    const check = checkAnthropicStream(await (await replay(turn)).text());
    expect(check.violations).toEqual([]);
    expect(check.error?.message).toContain("an error was encountered while running the model");
  });

  it("answers a model Ollama has not pulled with 404 in each client's protocol", async () => {
    chatAnswer = modelNotFound("deepseek-r1:latest");
    const [turn] = session.slice(1);
    if (!turn) throw new Error("fixture missing");
    const anthropic = await replay(turn);
    expect(anthropic.status).toBe(404);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const openai = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llama3.2:latest", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(openai.status).toBe(404);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toContain("try pulling it first");
  });

  it("streams tool calls to an OpenAI client, with the model it asked for and usage", async () => {
    chatAnswer = { status: 200, ndjson: "chat-stream-tools" };
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "llama3.2:latest",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "what is the weather in tokyo?" }],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "Get the weather in a given city",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const stream = accumulateOpenAIStream(await response.text());
    expect(stream.problems).toEqual([]);
    expect(stream.sawDone).toBe(true);
    expect(stream.toolCalls).toEqual([{ id: expect.any(String), name: "get_weather", arguments: '{"city":"Tokyo"}' }]);
    expect(stream.finishReason).toBe("tool_calls");
    expect(stream.usage).toMatchObject({ prompt_tokens: 169, completion_tokens: 15 });
    expect(lastChat().model).toBe("llama3.2:latest");
  });

  it("routes a model pulled after Switchyard started to that model, not to the default", async () => {
    chatAnswer = { status: 200, ndjson: "chat-stream" };
    const ask = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "qwen3:8b", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
    const first = DOCUMENTED_TAGS.models[0] as (typeof DOCUMENTED_TAGS.models)[number];
    // `ollama pull qwen3:8b` while Switchyard runs: /api/tags lists it from now on.
    tags = { models: [...DOCUMENTED_TAGS.models, { ...first, name: "qwen3:8b", model: "qwen3:8b" }] };
    try {
      const response = await ask();
      expect(response.status).toBe(200);
      await response.text();
      expect(lastChat().model).toBe("qwen3:8b");
      const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      expect(models.data.map((model) => model.id)).toContain("qwen3:8b");
    } finally {
      tags = DOCUMENTED_TAGS;
    }
  });

  it("labels count_tokens as an estimate", async () => {
    const [turn] = session.slice(1);
    if (!turn?.body) throw new Error("fixture missing");
    const { messages, system, tools, model } = turn.body;
    const response = await fetch(`${gateway.url}/v1/messages/count_tokens?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages, system, tools, model }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-token-count")).toBe("estimate");
    expect(((await response.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(1000);
  });
});

describe("finding Ollama", () => {
  it("recognises an Ollama given with --backend by its /api/version", async () => {
    const ollama = await startOllamaProtocolServer();
    const gateway = await startSwitchyard({
      config: configSchema.parse({ telemetry: { turnsFile: null } }),
      backendUrls: [ollama.url],
      host: "127.0.0.1",
      port: 0,
      probeLocal: false,
    });
    try {
      expect(gateway.backends.map((backend) => [backend.kind, backend.local])).toEqual([["ollama", true]]);
      expect(gateway.router.modelNames()).toContain("llama3.2:latest");
    } finally {
      await gateway.close();
      await ollama.close();
    }
  });
});

/**
 * A model Ollama lists without the `tools` capability (gemma3, llava, deepseek-r1:latest): Ollama refuses
 * every request with tools (400 "does not support tools", enforced by the loopback server as Ollama words
 * it), which is every request of Claude Code. Switchyard writes the tools, the calls and the results as
 * text and reads the model's calls back out of its text (src/backends/tools-as-text.ts). The model's
 * answer is the fixture `tools-as-text-call.ndjson`: what it is asked to write, not a recording.
 */
describe("Switchyard in front of Ollama, a model without the tools capability (loopback)", () => {
  const CAPABILITIES = ["completion", "vision"];
  let ollama: OllamaProtocolServer;
  let gateway: RunningSwitchyard;

  beforeAll(async () => {
    ollama = await startOllamaProtocolServer({
      capabilities: CAPABILITIES,
      script: (request) => (request.path === "/api/chat" ? { status: 200, ndjson: "tools-as-text-call" } : undefined),
    });
    gateway = await gatewayIn(ollama);
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });

  it("serves Claude Code's turn with a tool result in its history, and the model's call comes back as tool_use", async () => {
    const turn = fixtureRequests("basic-session").find((request) => request.file === "005.json") as FixtureRequest;
    expect((turn.body as { tools: unknown[] }).tools.length).toBeGreaterThan(0);
    const response = await fetch(`${gateway.url}${turn.url}`, {
      method: "POST",
      headers: { ...replayHeaders(turn), "content-type": "application/json" },
      body: JSON.stringify(turn.body),
    });
    expect(response.status).toBe(200);
    const check = checkAnthropicStream(await response.text());
    expect(check.violations).toEqual([]);
    expect(check.message?.content).toEqual([
      { type: "text", text: "I will list the files." },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "Bash", input: { command: "ls -la" } },
    ]);
    expect(check.message?.stop_reason).toBe("tool_use");

    const sent = ollama.requests.filter((request) => request.path === "/api/chat").at(-1)?.body as {
      messages: OllamaMessage[];
      tools?: unknown[];
    };
    expect(sent.tools).toBeUndefined();
    expect(sent.messages[0]?.content).toContain("You can call the tools below.");
    expect(sent.messages.some((message) => message.role === "tool" || message.tool_calls)).toBe(false);
    expect(sent.messages.some((message) => message.content.includes('```tool_call\n{"name":"Bash"'))).toBe(true);
    expect(sent.messages.some((message) => message.content.startsWith("```tool_output\n"))).toBe(true);

    // The same request with its tools sent as they are is what Ollama refuses.
    const refused = await fetch(`${ollama.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...sent, tools: [{ type: "function", function: { name: "Bash" } }] }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: "registry.ollama.ai/library/deepseek-r1:latest does not support tools",
    });
  });
});
