import { describe, expect, it } from "vitest";
import { DOCUMENTED_BLOCKS } from "../../../test/support/documented-blocks.js";
import { fixtureRequests } from "../../../test/support/fixtures.js";
import type { CanonicalRequest } from "../../core/canonical.js";
import { parseAnthropicRequest } from "../../protocols/anthropic/parse-anthropic-request.js";
import { DEFAULT_OLLAMA_COMPAT, type OllamaCompat } from "./ollama-compat.js";
import { type OllamaMessage, type OllamaRequestSettings, toOllamaChatBody } from "./to-ollama-chat.js";

const SETTINGS: OllamaRequestSettings = { numCtx: 32768, keepAlive: "60m" };
const VISION: OllamaCompat = { ...DEFAULT_OLLAMA_COMPAT, vision: true };

const anthropic = (body: Record<string, unknown>): CanonicalRequest =>
  parseAnthropicRequest({ model: "claude-sonnet-4-5", max_tokens: 1024, ...body }, {});

const chat = (request: CanonicalRequest, compat: OllamaCompat = DEFAULT_OLLAMA_COMPAT, settings = SETTINGS) =>
  toOllamaChatBody(request, "qwen3.5:35b", compat, settings);

const messagesOf = (body: Record<string, unknown>) => body.messages as OllamaMessage[];

describe("toOllamaChatBody", () => {
  it("reads Anthropic's documented document and search_result blocks as text, in a turn and in a tool result", () => {
    const body = chat(
      anthropic({
        messages: [
          { role: "user", content: [DOCUMENTED_BLOCKS.plainTextDocument, { type: "text", text: "Search it." }] },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Search", input: {} }] },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [DOCUMENTED_BLOCKS.searchResult] }],
          },
        ],
      }),
    );
    const [question, , result] = messagesOf(body);
    expect(question?.content).toBe(
      "My Document\nThis is a trustworthy document.\nThe grass is green. The sky is blue.\nSearch it.",
    );
    expect(result?.content).toBe(
      "Search result: Article Title\nSource: https://example.com/article\nThe actual content of the search result...",
    );
  });

  it("sends sampling in options, max_tokens as num_predict, the backend's num_ctx and keep_alive", () => {
    const body = chat(
      anthropic({
        messages: [{ role: "user", content: "hi" }],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ["END"],
      }),
    );
    expect(body).toMatchObject({
      model: "qwen3.5:35b",
      stream: true,
      keep_alive: "60m",
      truncate: false,
      shift: false,
      options: { num_predict: 1024, num_ctx: 32768, temperature: 0.2, top_p: 0.9, top_k: 40, stop: ["END"] },
    });
  });

  it("leaves num_ctx out when the backend has none, so the server keeps its own", () => {
    const body = chat(anthropic({ messages: [{ role: "user", content: "hi" }] }), DEFAULT_OLLAMA_COMPAT, {
      numCtx: undefined,
      keepAlive: 300,
    });
    expect(body.options).not.toHaveProperty("num_ctx");
    expect(body.keep_alive).toBe(300);
  });

  it("keeps the leading system prompt and sends a mid-conversation system message in place as a user turn", () => {
    const request = anthropic({
      system: "You are terse.",
      messages: [
        { role: "user", content: "a" },
        { role: "system", content: "reminder" },
        { role: "user", content: "b" },
      ],
    });
    expect(messagesOf(chat(request))).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "a" },
      { role: "user", content: "<system-reminder>\nreminder\n</system-reminder>" },
      { role: "user", content: "b" },
    ]);
    const native = messagesOf(chat(request, { ...DEFAULT_OLLAMA_COMPAT, midConversationSystem: "native" }));
    expect(native[2]).toEqual({ role: "system", content: "reminder" });
  });

  it("renders a recorded Claude Code turn append-only: the next turn's messages extend this one's", () => {
    const [turn3, turn4] = fixtureRequests("basic-session")
      .filter((request) => request.body?.tools)
      .slice(1, 3);
    if (!turn3?.body || !turn4?.body) throw new Error("fixture missing");
    const before = messagesOf(chat(parseAnthropicRequest(turn3.body, turn3.headers)));
    const after = messagesOf(chat(parseAnthropicRequest(turn4.body, turn4.headers)));
    expect(after.slice(0, before.length)).toEqual(before);
    expect(before.some((message) => message.content.startsWith("<system-reminder>"))).toBe(true);
    expect(before.filter((message) => message.role === "system")).toHaveLength(1);
  });

  it("sends tool calls with arguments as objects and tool results as tool messages named after their call", () => {
    const request = anthropic({
      tools: [{ name: "get_weather", description: "weather", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "weather in Tokyo?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "I should look it up.", signature: "sig" },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Tokyo" } },
            { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Oslo" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "11 degrees celsius" },
            { type: "tool_result", tool_use_id: "toolu_2", content: "boom", is_error: true },
          ],
        },
      ],
    });
    const body = chat(request);
    expect(body.tools).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "weather", parameters: { type: "object" } },
      },
    ]);
    expect(messagesOf(body).slice(1)).toEqual([
      {
        role: "assistant",
        content: "",
        thinking: "I should look it up.",
        tool_calls: [
          { id: "toolu_1", function: { name: "get_weather", arguments: { city: "Tokyo" } } },
          { id: "toolu_2", function: { name: "get_weather", arguments: { city: "Oslo" } } },
        ],
      },
      { role: "tool", content: "11 degrees celsius", tool_name: "get_weather", tool_call_id: "toolu_1" },
      { role: "tool", content: "Error: boom", tool_name: "get_weather", tool_call_id: "toolu_2" },
    ]);
  });

  it("writes tools, calls and results as text for a model without the tools capability", () => {
    const request = anthropic({
      system: "Be brief.",
      tools: [{ name: "get_weather", description: "weather", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "weather in Tokyo?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "I should look it up.", signature: "sig" },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Tokyo" } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "11 degrees celsius" }] },
      ],
    });
    const body = chat(request, { ...DEFAULT_OLLAMA_COMPAT, toolsAsText: true });
    expect(body).not.toHaveProperty("tools");
    const [system, ...rest] = messagesOf(body);
    expect(system?.content).toMatch(/^Be brief\.\nYou can call the tools below\./);
    expect(system?.content).toContain('{"name":"get_weather","description":"weather","parameters":{"type":"object"}}');
    expect(rest).toEqual([
      { role: "user", content: "weather in Tokyo?" },
      {
        role: "assistant",
        content: '```tool_call\n{"name":"get_weather","arguments":{"city":"Tokyo"}}\n```',
        thinking: "I should look it up.",
      },
      { role: "user", content: "```tool_output\n11 degrees celsius\n```" },
    ]);
  });

  it("leaves the tools out for tool_choice none", () => {
    const request = anthropic({
      tools: [{ name: "t", description: "", input_schema: { type: "object" } }],
      tool_choice: { type: "none" },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat(request)).not.toHaveProperty("tools");
  });

  it("sends base64 images in `images` for a vision model, and says what was left out otherwise", () => {
    const request = anthropic({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          ],
        },
      ],
    });
    const [seeing] = messagesOf(chat(request, VISION));
    expect(seeing?.images).toEqual(["iVBORw0KGgo="]);
    expect(seeing?.content).toBe(
      "what is this?\n[image at https://example.com/a.png omitted: Ollama takes only inline images]",
    );
    const [blind] = messagesOf(chat(request));
    expect(blind?.images).toBeUndefined();
    expect(blind?.content).toContain("[image/png image omitted: this model does not accept images]");
  });

  it("maps thinking to `think`: off, on, a named level, or left out for a model that cannot think", () => {
    const off = anthropic({ messages: [{ role: "user", content: "hi" }], thinking: { type: "disabled" } });
    const on = anthropic({ messages: [{ role: "user", content: "hi" }], thinking: { type: "adaptive" } });
    const high = anthropic({
      messages: [{ role: "user", content: "hi" }],
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    });
    expect(chat(off).think).toBe(false);
    expect(chat(on).think).toBe(true);
    const levels: OllamaCompat = {
      ...DEFAULT_OLLAMA_COMPAT,
      thinking: "levels",
      thinkingLevels: ["low", "medium", "high"],
    };
    expect(chat(high, levels).think).toBe("high");
    expect(chat(on, levels).think).toBe(true);
    expect(chat(high).think).toBe(true);
    expect(chat(on, { ...DEFAULT_OLLAMA_COMPAT, thinking: "none" })).not.toHaveProperty("think");
  });

  it("sends a JSON schema response format as `format`", () => {
    const schema = { type: "object", properties: { title: { type: "string" } }, required: ["title"] };
    const request = anthropic({
      messages: [{ role: "user", content: "title?" }],
      output_config: { format: { type: "json_schema", schema } },
    });
    expect(chat(request).format).toEqual(schema);
  });
});
