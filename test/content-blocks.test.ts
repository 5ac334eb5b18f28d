import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { type AnthropicProtocolServer, startAnthropicProtocolServer } from "./support/anthropic-protocol-server.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { DOCUMENTED_BLOCKS } from "./support/documented-blocks.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import type { OpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { waitForTurns } from "./support/turn-records.js";
import {
  startVllmProtocolServer,
  VLLM_MODEL,
  VLLM_MODELS_LIST,
  vllmTokenizeAnswer,
} from "./support/vllm-protocol-server.js";

/**
 * Issue 14, any content block: Anthropic's documented document and search_result blocks, a PDF, and a
 * block type Switchyard has never heard of, through the gateway to a local backend (the vLLM fake) and to
 * the Anthropic backend (the Anthropic fake). The local backend reads what it can; a block it cannot
 * read is refused on the turn that brings it and never breaks a later turn; Anthropic gets every block
 * as the client sent it.
 */
const CLOUD_MODEL = "claude-sonnet-4-20250514";
const hologram = { type: "hologram", data: "a block type newer than this code" };

type Message = { role: "user" | "assistant"; content: unknown };
const user = (...content: unknown[]): Message => ({ role: "user", content });
const assistant = (text: string): Message => ({ role: "assistant", content: [{ type: "text", text }] });

describe("content blocks Switchyard does not take apart", () => {
  let vllm: OpenAIProtocolServer;
  let anthropic: AnthropicProtocolServer;
  let gateway: RunningSwitchyard;

  beforeAll(async () => {
    vllm = await startVllmProtocolServer({
      script: (request) => {
        if (request.path === "/v1/models") return { status: 200, json: VLLM_MODELS_LIST };
        if (request.path === "/tokenize") return vllmTokenizeAnswer([1, 2, 3]);
        return { status: 200, sse: "length-stream" };
      },
    });
    anthropic = await startAnthropicProtocolServer({ script: () => ({ status: 200, sse: "text-stream" }) });
    gateway = await startGatewayFor([
      { name: "vllm", type: "vllm", url: `${vllm.url}/v1` },
      { name: "cloud", type: "anthropic", url: anthropic.url, apiKey: "test-key", models: [CLOUD_MODEL] },
    ]);
  });
  afterAll(async () => {
    await gateway?.close();
    await vllm?.close();
    await anthropic?.close();
  });

  const send = (model: string, messages: Message[], url = gateway.url) =>
    fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 1024, stream: true, messages }),
    });
  const sentToVllm = () => {
    const chat = vllm.requests.filter((request) => request.path === "/v1/chat/completions").at(-1);
    if (!chat) throw new Error("no chat request reached vLLM");
    return (chat.body as { messages: Array<{ role: string; content: string }> }).messages;
  };

  it("count_tokens on a local backend counts a PDF by its text, as the turn sends it (first: no turn has extracted it yet)", async () => {
    const response = await fetch(`${gateway.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: VLLM_MODEL, messages: [user(DOCUMENTED_BLOCKS.base64PdfDocument)] }),
    });
    expect(await response.json()).toEqual({ input_tokens: 3 });
    const counted = vllm.requests.filter((request) => request.path === "/tokenize").at(-1)?.body;
    expect(JSON.stringify(counted)).toContain("Switchyard reads the text layer of this PDF.");
  });

  it("reads Anthropic's documented text documents and search result on a local backend", async () => {
    const blocks = [
      DOCUMENTED_BLOCKS.plainTextDocument,
      DOCUMENTED_BLOCKS.customContentDocument,
      DOCUMENTED_BLOCKS.searchResult,
    ];
    const response = await send(VLLM_MODEL, [user(...blocks, { type: "text", text: "What color is the grass?" })]);
    expect(response.status).toBe(200);
    expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
    const prompt = sentToVllm().at(-1)?.content;
    expect(prompt).toContain("My Document\nThis is a trustworthy document.\nThe grass is green. The sky is blue.");
    expect(prompt).toContain("First chunk\nSecond chunk");
    expect(prompt).toContain("Search result: Article Title\nSource: https://example.com/article");
    expect(prompt).toContain("What color is the grass?");
  });

  it("a PDF in history: local turns go on working, its text the same bytes every turn", async () => {
    const first = [user(DOCUMENTED_BLOCKS.base64PdfDocument, { type: "text", text: "Summarize this PDF." })];
    const opened = await send(VLLM_MODEL, first);
    expect(opened.status).toBe(200);
    await opened.text();
    const firstPrompt = sentToVllm();
    expect(firstPrompt.at(-1)?.content).toContain("Switchyard reads the text layer of this PDF.");

    const later = await send(VLLM_MODEL, [
      ...first,
      assistant("It is one line."),
      user({ type: "text", text: "Thanks." }),
    ]);
    expect(later.status).toBe(200);
    await later.text();
    expect(sentToVllm().slice(0, firstPrompt.length)).toEqual(firstPrompt);
  });

  it("an unknown block: a 400 naming it on the turn that brings it, a placeholder on every later turn", async () => {
    // Only the local backend: with a cloud in the chain the turn would go there instead (next test).
    const localOnly = await startGatewayFor([{ name: "vllm", type: "vllm", url: `${vllm.url}/v1` }]);
    try {
      const first = [user({ type: "text", text: "Look at this." }, hologram)];
      const refused = await send(VLLM_MODEL, first, localOnly.url);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        type: "error",
        error: {
          type: "invalid_request_error",
          message: "messages.0.content.1: hologram blocks are not supported by the local backend 'vllm'",
        },
      });

      const history = [...first, assistant("I cannot see it."), user({ type: "text", text: "Go on." })];
      const later = await send(VLLM_MODEL, history, localOnly.url);
      expect(later.status).toBe(200);
      await later.text();
      expect(sentToVllm()[0]?.content).toBe(
        "Look at this.\n[hologram omitted: hologram blocks cannot be read by this model]",
      );
    } finally {
      await localOnly.close();
    }
  });

  it("an unknown block with Anthropic in the chain: that turn goes to Anthropic, later turns stay local", async () => {
    const first = [user({ type: "text", text: "Look at this." }, hologram)];
    const recorded = gateway.recorder.recent().length;
    const moved = await send(VLLM_MODEL, first);
    expect(moved.status).toBe(200);
    await moved.text();
    const received = anthropic.requests.filter((request) => request.path === "/v1/messages").at(-1)?.body;
    expect(JSON.stringify((received as { messages: unknown }).messages)).toBe(JSON.stringify(first));
    await waitForTurns(gateway.recorder, recorded + 1);
    expect(gateway.recorder.recent().at(-1)).toMatchObject({
      backend: "cloud",
      routing: { fallback: [{ backend: "vllm", code: "unsupported_content" }] },
    });

    const later = await send(VLLM_MODEL, [...first, assistant("I see."), user({ type: "text", text: "Go on." })]);
    expect(later.status).toBe(200);
    await later.text();
    expect(sentToVllm()[0]?.content).toContain("[hologram omitted:");
  });

  it("the Anthropic backend receives every block untouched", async () => {
    const blocks = [...Object.values(DOCUMENTED_BLOCKS), hologram];
    const messages = [user(...blocks, { type: "text", text: "Read these." })];
    const response = await send(CLOUD_MODEL, messages);
    expect(response.status).toBe(200);
    await response.text();
    const received = anthropic.requests.filter((request) => request.path === "/v1/messages").at(-1)?.body as {
      messages: Message[];
    };
    expect(JSON.stringify(received.messages)).toBe(JSON.stringify(messages));
  });
});
