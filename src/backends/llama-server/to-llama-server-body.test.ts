import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import type { CanonicalRequest } from "../../core/canonical.js";
import { parseAnthropicRequest } from "../../protocols/anthropic/parse-anthropic-request.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { DEFAULT_LLAMA_SERVER_COMPAT, type LlamaServerCompat } from "./llama-server-compat.js";
import { toLlamaServerBody } from "./to-llama-server-body.js";

/** Real Claude Code 2.1.197 traffic (see test/fixtures/claude-code/README.md). */
const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/claude-code/claude-code-2.1.197");

const fixtureRequest = (name: string): CanonicalRequest => {
  const recorded = JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as {
    headers: Record<string, string>;
    body: unknown;
  };
  return parseAnthropicRequest(recorded.body, recorded.headers);
};

const AS_USER: LlamaServerCompat = { ...DEFAULT_LLAMA_SERVER_COMPAT, midConversationSystem: "as-user", vision: false };

describe("toLlamaServerBody", () => {
  it("the default compat renders mid-conversation system messages as user turns", () => {
    expect(DEFAULT_LLAMA_SERVER_COMPAT).toMatchObject({ midConversationSystem: "as-user", vision: false });
  });

  it("always streams with usage, per-token timings and the prompt cache", () => {
    const body = toLlamaServerBody(canonicalRequest({ stream: false }), "qwen.gguf", AS_USER);
    expect(body).toMatchObject({
      model: "qwen.gguf",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 512,
      stream: true,
      stream_options: { include_usage: true },
      timings_per_token: true,
      cache_prompt: true,
      chat_template_kwargs: { enable_thinking: false },
    });
  });

  it.each([
    ["adaptive", true],
    ["enabled", true],
    ["disabled", false],
  ] as const)("thinking %s → chat_template_kwargs.enable_thinking %s", (mode, enabled) => {
    const body = toLlamaServerBody(canonicalRequest({ thinking: { mode } }), "m", AS_USER);
    expect(body.chat_template_kwargs).toEqual({ enable_thinking: enabled });
  });

  it("adds the backend's template kwargs; enable_thinking follows the request", () => {
    const compat = { ...AS_USER, templateKwargs: { preserve_thinking: true, enable_thinking: false } };
    const body = toLlamaServerBody(canonicalRequest({ thinking: { mode: "adaptive" } }), "m", compat);
    expect(body.chat_template_kwargs).toEqual({ preserve_thinking: true, enable_thinking: true });
  });

  const tools = [
    { name: "Bash", description: "Run a command", inputSchema: { type: "object", properties: {} } },
    { name: "Read", description: "", inputSchema: { type: "object" } },
  ];

  it("sends tools as functions", () => {
    const body = toLlamaServerBody(canonicalRequest({ tools }), "m", AS_USER);
    expect(body.tools).toEqual([
      {
        type: "function",
        function: { name: "Bash", description: "Run a command", parameters: { type: "object", properties: {} } },
      },
      { type: "function", function: { name: "Read", description: "", parameters: { type: "object" } } },
    ]);
    expect(body).not.toHaveProperty("tool_choice");
  });

  it.each([
    [{ type: "auto", parallel: true }, "auto", true],
    [{ type: "any", parallel: true }, "required", true],
    [{ type: "any", parallel: false }, "required", false],
    [{ type: "tool", name: "Read", parallel: false }, { type: "function", function: { name: "Read" } }, false],
    [{ type: "none" }, "none", undefined],
  ] as const)("tool_choice %j → %j (parallel_tool_calls %s)", (toolChoice, expected, parallel) => {
    const body = toLlamaServerBody(canonicalRequest({ tools, toolChoice }), "m", AS_USER);
    expect(body.tool_choice).toEqual(expected);
    expect(body.parallel_tool_calls).toBe(parallel);
  });

  it("sends no tool_choice when there are no tools", () => {
    const body = toLlamaServerBody(canonicalRequest({ toolChoice: { type: "any", parallel: true } }), "m", AS_USER);
    expect(body).not.toHaveProperty("tool_choice");
    expect(body).not.toHaveProperty("tools");
    expect(body).not.toHaveProperty("parallel_tool_calls");
  });

  it("sends stop sequences, temperature, top_p, top_k when set", () => {
    const body = toLlamaServerBody(
      canonicalRequest({ stopSequences: ["END", "\n\nHuman:"], temperature: 0, topP: 0.95, topK: 20 }),
      "m",
      AS_USER,
    );
    expect(body).toMatchObject({ stop: ["END", "\n\nHuman:"], temperature: 0, top_p: 0.95, top_k: 20 });
    const plain = toLlamaServerBody(canonicalRequest(), "m", AS_USER);
    for (const field of ["stop", "temperature", "top_p", "top_k", "response_format"]) {
      expect(plain).not.toHaveProperty(field);
    }
  });

  it("sends a json_schema response_format", () => {
    const schema = { type: "object", properties: { title: { type: "string" } }, required: ["title"] };
    const body = toLlamaServerBody(canonicalRequest({ responseFormat: { type: "json_schema", schema } }), "m", AS_USER);
    expect(body.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema } });
  });

  it("converts Claude Code's title request (basic-session/002.json)", () => {
    const request = fixtureRequest("basic-session/002.json");
    const body = toLlamaServerBody(request, "qwen.gguf", AS_USER);
    expect(body).toMatchObject({
      model: "qwen.gguf",
      max_tokens: request.maxTokens,
      stream: true,
      cache_prompt: true,
      chat_template_kwargs: { enable_thinking: false },
      response_format: { type: "json_schema", json_schema: { name: "output" } },
    });
    const messages = body.messages as ChatMessage[];
    expect(messages.map((message) => message.role)).toEqual(["system", "user"]);
  });

  it("converts a Claude Code tool turn (basic-session/004.json) with its tools", () => {
    const request = fixtureRequest("basic-session/004.json");
    const body = toLlamaServerBody(request, "qwen.gguf", AS_USER);
    expect(body.chat_template_kwargs).toEqual({ enable_thinking: true });
    expect((body.tools as unknown[]).length).toBe(request.tools.length);
    const messages = body.messages as ChatMessage[];
    expect(messages.map((message) => message.role)).toEqual(["system", "user", "user", "assistant", "tool"]);
    expect(messages[3]).toEqual({
      role: "assistant",
      content: "Let me check.",
      tool_calls: [
        {
          id: "toolu_0003",
          type: "function",
          function: { name: "Bash", arguments: JSON.stringify({ command: "ls -la", description: "List files" }) },
        },
      ],
    });
    expect(messages[4]).toMatchObject({ role: "tool", tool_call_id: "toolu_0003" });
  });

  it("reduces tool schemas' type unions where the template refuses them, the same list each turn", () => {
    const union = { type: "object", properties: { limit: { type: ["integer", "null"] } } };
    const tools = Object.freeze([Object.freeze({ name: "Read", description: "Reads.", inputSchema: union })]);
    const request = canonicalRequest({ tools });
    const sent = (compat: LlamaServerCompat) =>
      (toLlamaServerBody(request, "m", compat).tools as Array<{ function: { parameters: unknown } }>)[0]?.function;
    expect(sent(AS_USER)?.parameters).toEqual(union);
    const reduced = { ...AS_USER, singleSchemaTypes: true };
    expect(sent(reduced)?.parameters).toEqual({ type: "object", properties: { limit: { type: "integer" } } });
    expect(toLlamaServerBody(request, "m", reduced).tools).toBe(toLlamaServerBody(request, "m", reduced).tools);
  });
});
