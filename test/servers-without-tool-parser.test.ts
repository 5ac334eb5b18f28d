import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { type FixtureRequest, fixtureRequests, replayHeaders } from "./support/fixtures.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import { accumulateOpenAIStream } from "./support/openai-chunk-accumulator.js";
import type { OpenAIProtocolServer, RecordedRequest } from "./support/openai-protocol-server.js";
import { SGLANG_MODELS_LIST, startSglangProtocolServer } from "./support/sglang-protocol-server.js";
import { waitForTurns } from "./support/turn-records.js";
import {
  startVllmProtocolServer,
  VLLM_MODEL,
  VLLM_MODELS_LIST,
  vllmTokenizeAnswer,
} from "./support/vllm-protocol-server.js";

type ChatBody = { messages: Array<{ role: string; content: unknown; tool_calls?: unknown }>; tools?: unknown[] };

/**
 * vLLM started without `--enable-auto-tool-choice --tool-call-parser NAME` (its default) refuses every
 * request with tools, which is every request of a coding agent: 400 `"auto" tool choice requires …`,
 * enforced by the loopback vLLM as vLLM words it (vllm-protocol-server.ts, with its source). Switchyard
 * takes the refusal as the server's answer to "can you read tool calls", sends the same turn again with
 * the tools, calls and results as text (src/backends/tools-as-text.ts), every later turn that way, and
 * reads the model's calls back out of its text. The model's answer is the fixture
 * `tools-as-text-stream.sse`: what it is asked to write, not a recording.
 */
describe("Switchyard in front of vLLM without a tool parser (loopback)", () => {
  let vllm: OpenAIProtocolServer;
  let gateway: RunningSwitchyard;

  beforeAll(async () => {
    vllm = await startVllmProtocolServer({
      toolParser: false,
      script: (request) => {
        if (request.path === "/v1/models") return { status: 200, json: VLLM_MODELS_LIST };
        if (request.path === "/tokenize") return vllmTokenizeAnswer([1, 2, 3, 4]);
        return { status: 200, sse: "tools-as-text-stream" };
      },
    });
    gateway = await startGatewayFor([{ name: "vllm", type: "vllm", url: `${vllm.url}/v1` }]);
  });
  afterAll(async () => {
    await gateway?.close();
    await vllm?.close();
  });

  const chats = () => vllm.requests.filter((request) => request.path === "/v1/chat/completions");
  const replay = (request: FixtureRequest) =>
    fetch(`${gateway.url}${request.url}`, {
      method: "POST",
      headers: { ...replayHeaders(request), "content-type": "application/json" },
      body: JSON.stringify(request.body),
    });
  const session = fixtureRequests("basic-session").filter((request) => request.body?.tools);
  const withResults = session.find((request) => request.file === "005.json") as FixtureRequest;
  const asText = (request: RecordedRequest | undefined) => {
    const body = request?.body as ChatBody;
    expect(body.tools).toBeUndefined();
    expect(body.messages.some((message) => message.role === "tool" || message.tool_calls)).toBe(false);
    return body;
  };

  it("serves Claude Code's turn with tool results in its history after vLLM refuses its tools, and the call comes back as tool_use", async () => {
    expect((withResults.body as { tools: unknown[] }).tools.length).toBeGreaterThan(0);
    const response = await replay(withResults);
    expect(response.status).toBe(200);
    const check = checkAnthropicStream(await response.text());
    expect(check.violations).toEqual([]);
    expect(check.message?.content).toEqual([
      { type: "thinking", thinking: "The user wants the files listed.", signature: expect.any(String) },
      { type: "text", text: "I will list the files." },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "Bash", input: { command: "ls -la" } },
    ]);
    expect(check.message?.stop_reason).toBe("tool_use");

    // The first request went as the client's tools and was refused; the second went as text.
    const [refused, sent] = chats();
    expect(chats()).toHaveLength(2);
    expect((refused?.body as ChatBody | undefined)?.tools?.length).toBeGreaterThan(0);
    const body = asText(sent);
    const system = body.messages[0];
    expect(system?.role).toBe("system");
    expect(String(system?.content)).toContain("You can call the tools below.");
    expect(body.messages.some((message) => String(message.content).includes('```tool_call\n{"name":"Bash"'))).toBe(
      true,
    );
    expect(body.messages.some((message) => String(message.content).startsWith("```tool_output\n"))).toBe(true);

    // The body Switchyard first sent is what vLLM refuses, in vLLM's words.
    const direct = await fetch(`${vllm.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(refused?.body),
    });
    expect(direct.status).toBe(400);
    expect(((await direct.json()) as { error: { message: string } }).error.message).toBe(
      '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
    );
    const [turn] = await waitForTurns(gateway.recorder, 1).then(() => gateway.recorder.recent());
    expect(turn?.status).toBe(200);
  });

  it("sends the next turns as text at once, and counts tokens as they are sent", async () => {
    const before = chats().length;
    const next = session[session.indexOf(withResults) + 1] as FixtureRequest;
    const answer = await replay(next);
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(chats()).toHaveLength(before + 1);
    asText(chats().at(-1));

    const counted = await fetch(`${gateway.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { ...replayHeaders(withResults), "content-type": "application/json" },
      body: JSON.stringify({ ...(withResults.body as object), stream: undefined, max_tokens: undefined }),
    });
    expect(counted.status).toBe(200);
    const tokenized = vllm.requests.filter((request) => request.path === "/tokenize").at(-1)?.body as ChatBody;
    expect(tokenized.tools).toBeUndefined();
    expect(String(tokenized.messages[0]?.content)).toContain("You can call the tools below.");
  });

  it("gives an OpenAI client's call back as tool_calls", async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: VLLM_MODEL,
        stream: true,
        messages: [{ role: "user", content: "List the files." }],
        tools: [
          {
            type: "function",
            function: {
              name: "Bash",
              description: "Runs a shell command",
              parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
            },
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const message = accumulateOpenAIStream(await response.text());
    expect(message.problems).toEqual([]);
    expect(message.content).toBe("I will list the files.");
    expect(message.toolCalls).toEqual([{ id: expect.any(String), name: "Bash", arguments: '{"command":"ls -la"}' }]);
    expect(message.finishReason).toBe("tool_calls");
  });
});

/**
 * SGLang started without `--tool-call-parser` refuses nothing: it renders the tools into the prompt and
 * passes the model's calls on as plain text, so a coding agent would see its calls as words. Its server
 * arguments say so (`tool_call_parser: null` in `GET /server_info`, sglang-protocol-server.ts), read once
 * before the first request with tools; from then on the tools go as text and the calls are read back.
 */
describe("Switchyard in front of SGLang without a tool parser (loopback)", () => {
  const servers: OpenAIProtocolServer[] = [];
  const gateways: RunningSwitchyard[] = [];
  const start = async (toolCallParser: string | null) => {
    const sglang = await startSglangProtocolServer({
      toolCallParser,
      script: (request) =>
        request.path === "/v1/models"
          ? { status: 200, json: SGLANG_MODELS_LIST }
          : { status: 200, sse: toolCallParser ? "tool-stream" : "tools-as-text-stream" },
    });
    servers.push(sglang);
    const gateway = await startGatewayFor([{ name: "sglang", type: "sglang", url: sglang.url }]);
    gateways.push(gateway);
    return { sglang, gateway };
  };
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    for (const server of servers) await server.close();
  });
  const turn = fixtureRequests("basic-session").find((request) => request.file === "005.json") as FixtureRequest;
  const send = (gateway: RunningSwitchyard) =>
    fetch(`${gateway.url}${turn.url}`, {
      method: "POST",
      headers: { ...replayHeaders(turn), "content-type": "application/json" },
      body: JSON.stringify(turn.body),
    });
  const chatsOf = (server: OpenAIProtocolServer) =>
    server.requests.filter((request) => request.path === "/v1/chat/completions");

  it("reads that SGLang has no tool parser, sends the tools as text, and gives the call back as tool_use", async () => {
    const { sglang, gateway } = await start(null);
    const response = await send(gateway);
    expect(response.status).toBe(200);
    const check = checkAnthropicStream(await response.text());
    expect(check.violations).toEqual([]);
    expect(check.message?.content.at(-1)).toMatchObject({
      type: "tool_use",
      name: "Bash",
      input: { command: "ls -la" },
    });
    expect(check.message?.stop_reason).toBe("tool_use");
    const asked = sglang.requests.map((request) => request.path).filter((path) => path !== "/v1/models");
    expect(asked).toEqual(["/server_info", "/v1/chat/completions"]);
    const body = chatsOf(sglang)[0]?.body as ChatBody;
    expect(body.tools).toBeUndefined();
    expect(String(body.messages[0]?.content)).toContain("You can call the tools below.");

    // Read once: the next turn goes straight to the chat.
    expect((await send(gateway)).status).toBe(200);
    expect(sglang.requests.filter((request) => request.path === "/server_info")).toHaveLength(1);
  });

  it("sends the tools as they are to an SGLang with a tool parser", async () => {
    const { sglang, gateway } = await start("qwen25");
    const response = await send(gateway);
    expect(response.status).toBe(200);
    expect(checkAnthropicStream(await response.text()).message?.stop_reason).toBe("tool_use");
    expect((chatsOf(sglang)[0]?.body as ChatBody | undefined)?.tools?.length).toBeGreaterThan(0);
  });
});
