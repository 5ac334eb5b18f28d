import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { fakePromptTokens, OPENAI_CONTEXT_RULE } from "./support/context-length-rule.js";
import { fixtureRequests, replayHeaders } from "./support/fixtures.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import type { LoopbackServer, RecordedRequest } from "./support/loopback-server.js";
import { DOCUMENTED_SHOW, startOllamaProtocolServer } from "./support/ollama-protocol-server.js";
import { type ScriptedResponse, startOpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { SGLANG_MODELS_LIST, startSglangProtocolServer } from "./support/sglang-protocol-server.js";
import { waitForTurns } from "./support/turn-records.js";
import { startVllmProtocolServer, VLLM_MODELS_LIST } from "./support/vllm-protocol-server.js";

/**
 * Issue 14, limits per backend: each fake enforces a 32K window the way its server does (prompt +
 * max_tokens over the window is refused with the server's own error; context-length-rule.ts cites
 * each). Claude Code sends `max_tokens: 32000`. A 20K-token recorded Claude Code turn must answer 200
 * with max_tokens clamped and the clamp in the turn record; a 40K-token one must answer `prompt is too
 * long`, the error Claude Code compacts on.
 */
const CONTEXT = 32768;

/** A recorded Claude Code turn with tools (basic-session), its last user message padded to about `tokens` fake tokens. */
function claudeCodeTurn(tokens: number) {
  const turn = fixtureRequests("basic-session").filter((request) => request.body?.tools)[1];
  if (!turn?.body) throw new Error("fixture missing");
  const body = structuredClone(turn.body) as { messages: Array<{ role: string; content: unknown }> };
  const sentence = "The build log repeats this line while the tests run one more time. ";
  const missing = tokens - fakePromptTokens(body);
  const padding = sentence.repeat(Math.max(0, Math.ceil((missing * 4) / sentence.length)));
  body.messages.push({ role: "user", content: [{ type: "text", text: padding }] });
  return { turn, body };
}

interface Case {
  name: string;
  start: () => Promise<LoopbackServer>;
  backend: (url: string) => Record<string, unknown>;
  /** The completion limit the server received. */
  sentMaxTokens: (request: RecordedRequest) => number | undefined;
  chatPath: string;
  /**
   * The first request already fits: the prompt was counted exactly (vLLM's /tokenize) or the server
   * never refuses (Ollama). Elsewhere the refusal's numbers may have to size a second request.
   */
  fitsFirstTime: boolean;
}

/** A server's scripted answers: its models list, and one recorded stream for every chat that fits. */
const answers =
  (models: unknown, stream: string) =>
  (request: RecordedRequest): ScriptedResponse =>
    request.path.endsWith("/models") ? { status: 200, json: models } : { status: 200, sse: stream };

const maxTokensOf = (request: RecordedRequest) => (request.body as { max_tokens?: number }).max_tokens;

const CASES: Case[] = [
  {
    name: "vLLM",
    start: () => startVllmProtocolServer({ script: answers(VLLM_MODELS_LIST, "tool-stream"), contextLength: CONTEXT }),
    backend: (url) => ({ name: "vllm", type: "vllm", url: `${url}/v1` }),
    sentMaxTokens: maxTokensOf,
    chatPath: "/v1/chat/completions",
    fitsFirstTime: true,
  },
  {
    name: "SGLang",
    start: () =>
      startSglangProtocolServer({ script: answers(SGLANG_MODELS_LIST, "text-stream"), contextLength: CONTEXT }),
    backend: (url) => ({ name: "sglang", type: "sglang", url: `${url}/v1` }),
    sentMaxTokens: maxTokensOf,
    chatPath: "/v1/chat/completions",
    fitsFirstTime: false,
  },
  {
    name: "an OpenAI-compatible cloud",
    start: () =>
      startOpenAIProtocolServer({
        script: answers({ object: "list", data: [] }, "text-stream"),
        context: { length: CONTEXT, rule: OPENAI_CONTEXT_RULE },
      }),
    backend: (url) => ({
      name: "cloud",
      type: "openai-compatible",
      url: `${url}/v1`,
      models: ["gpt-test"],
      apiKey: "k",
    }),
    sentMaxTokens: maxTokensOf,
    chatPath: "/v1/chat/completions",
    fitsFirstTime: false,
  },
  {
    name: "Ollama",
    start: () =>
      startOllamaProtocolServer({
        numCtx: CONTEXT,
        script: (request) => {
          if (request.path === "/api/show")
            return { status: 200, json: { ...DOCUMENTED_SHOW, capabilities: ["completion", "tools"] } };
          if (request.path !== "/api/chat") return undefined;
          return { status: 200, ndjson: "chat-stream" };
        },
      }),
    backend: (url) => ({ name: "ollama", type: "ollama", url, numCtx: CONTEXT }),
    sentMaxTokens: (request) => (request.body as { options?: { num_predict?: number } }).options?.num_predict,
    chatPath: "/api/chat",
    fitsFirstTime: true,
  },
];

describe.each(CASES)("$name with a 32K context", (testCase) => {
  let server: LoopbackServer;
  let gateway: RunningSwitchyard;

  beforeAll(async () => {
    server = await testCase.start();
    gateway = await startGatewayFor([testCase.backend(server.url)]);
  });
  afterAll(async () => {
    await gateway?.close();
    await server?.close();
  });

  const send = (tokens: number) => {
    const { turn, body } = claudeCodeTurn(tokens);
    return fetch(`${gateway.url}${turn.url}`, {
      method: "POST",
      headers: { ...replayHeaders(turn), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  };
  const chats = () => server.requests.filter((request) => request.path === testCase.chatPath);

  it("answers a 20K-token Claude Code turn with max_tokens clamped to what the context leaves", async () => {
    const before = chats().length;
    const response = await send(20_000);
    expect(response.status).toBe(200);
    expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
    const answered = chats().at(-1);
    if (!answered) throw new Error("no chat request reached the server");
    if (testCase.fitsFirstTime) expect(chats().length - before).toBe(1);
    const sent = testCase.sentMaxTokens(answered);
    expect(sent).toBeLessThan(32_000);
    expect(fakePromptTokens(answered.body as never) + (sent ?? 0)).toBeLessThan(CONTEXT);
    await waitForTurns(gateway.recorder, 1);
    expect(gateway.recorder.recent().at(-1)?.maxTokensClamped).toEqual({ from: 32_000, to: sent });
  });

  it("answers a 40K-token turn with `prompt is too long`, the error Claude Code compacts on", async () => {
    const response = await send(40_000);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(answer.type).toBe("error");
    expect(answer.error.type).toBe("invalid_request_error");
    expect(answer.error.message).toMatch(new RegExp(`^prompt is too long: \\d+ tokens > ${CONTEXT} maximum$`));
    const tokens = Number(/: (\d+) tokens/.exec(answer.error.message)?.[1]);
    expect(tokens).toBeGreaterThan(CONTEXT);
  });

  it("answers the same overflow on the OpenAI door as context_length_exceeded", async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "any",
        max_tokens: 32_000,
        messages: [{ role: "user", content: "word ".repeat(40_000 * 4) }],
      }),
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("context_length_exceeded");
  });
});
