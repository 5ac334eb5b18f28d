import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../../core/errors.js";
import {
  DEFAULT_OPENAI_MAX_TOKENS,
  openAIStreamIncludesUsage,
  parseOpenAIChatRequest,
} from "./parse-openai-request.js";

/** OpenAI's API reference, "Create chat completion", Functions example (platform.openai.com/docs/api-reference/chat/create). */
const functionsExample = () => ({
  model: "gpt-4.1",
  messages: [{ role: "user", content: "What is the weather like in Boston today?" }] as unknown[],
  tools: [
    {
      type: "function",
      function: {
        name: "get_current_weather",
        description: "Get the current weather in a given location",
        parameters: {
          type: "object",
          properties: {
            location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
            unit: { type: "string", enum: ["celsius", "fahrenheit"] },
          },
          required: ["location"],
        },
      },
    },
  ],
  tool_choice: "auto" as unknown,
});

/** The same reference's Default example, with `stream: true` as in its Streaming example. */
const defaultExample = () => ({
  model: "gpt-4.1",
  messages: [
    { role: "developer", content: "You are a helpful assistant." },
    { role: "user", content: "Hello!" },
  ],
  stream: true,
});

function rejects(body: unknown): string {
  try {
    parseOpenAIChatRequest(body, {});
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).kind).toBe("invalid_request");
    expect((error as SwitchyardError).status).toBe(400);
    return (error as SwitchyardError).message;
  }
  throw new Error("expected a 400");
}

describe("parseOpenAIChatRequest", () => {
  it("converts the documented Functions example", () => {
    const body = functionsExample();
    const request = parseOpenAIChatRequest(body, { Authorization: "Bearer x", "X-Trace": ["a", "b"] });
    expect(request.model).toBe("gpt-4.1");
    expect(request.system).toEqual([]);
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "What is the weather like in Boston today?" }] },
    ]);
    expect(request.tools).toEqual([
      {
        name: "get_current_weather",
        description: "Get the current weather in a given location",
        inputSchema: body.tools[0]?.function.parameters,
      },
    ]);
    expect(request.toolChoice).toEqual({ type: "auto", parallel: true });
    expect(request.maxTokens).toBe(DEFAULT_OPENAI_MAX_TOKENS);
    expect(request.maxTokens).toBe(4096);
    expect(request.thinking).toEqual({ mode: "disabled" });
    expect(request.stream).toBe(false);
    expect(request.stopSequences).toEqual([]);
    expect(request.responseFormat).toBeUndefined();
    expect(request.client).toEqual({
      protocol: "openai",
      headers: { authorization: "Bearer x", "x-trace": "a,b" },
      body,
      userId: undefined,
    });
    expect(request.client.body).toBe(body);
  });

  it("converts the documented Default example, streaming", () => {
    const request = parseOpenAIChatRequest(defaultExample(), {});
    expect(request.system).toEqual([{ type: "text", text: "You are a helpful assistant." }]);
    expect(request.messages).toHaveLength(1);
    expect(request.stream).toBe(true);
  });

  it.each([
    ["none", { type: "none" }],
    ["required", { type: "any", parallel: true }],
    [
      { type: "function", function: { name: "get_current_weather" } },
      { type: "tool", name: "get_current_weather", parallel: true },
    ],
  ])("maps tool_choice %j", (choice, expected) => {
    expect(parseOpenAIChatRequest({ ...functionsExample(), tool_choice: choice }, {}).toolChoice).toEqual(expected);
  });

  it("carries parallel_tool_calls: false, with or without a tool_choice", () => {
    const off = { ...functionsExample(), parallel_tool_calls: false };
    expect(parseOpenAIChatRequest(off, {}).toolChoice).toEqual({ type: "auto", parallel: false });
    expect(parseOpenAIChatRequest({ ...off, tool_choice: undefined }, {}).toolChoice).toEqual({
      type: "auto",
      parallel: false,
    });
    expect(parseOpenAIChatRequest({ ...off, tool_choice: "required" }, {}).toolChoice).toEqual({
      type: "any",
      parallel: false,
    });
    expect(parseOpenAIChatRequest({ ...functionsExample(), tool_choice: undefined }, {}).toolChoice).toBeUndefined();
  });

  it("gives a function without parameters an empty object schema", () => {
    const body = { ...functionsExample(), tools: [{ type: "function", function: { name: "now" } }] };
    expect(parseOpenAIChatRequest(body, {}).tools).toEqual([
      { name: "now", description: "", inputSchema: { type: "object", properties: {} } },
    ]);
  });

  it("prefers max_completion_tokens, then max_tokens", () => {
    const body = defaultExample();
    expect(parseOpenAIChatRequest({ ...body, max_tokens: 300 }, {}).maxTokens).toBe(300);
    expect(parseOpenAIChatRequest({ ...body, max_tokens: 300, max_completion_tokens: 500 }, {}).maxTokens).toBe(500);
    expect(parseOpenAIChatRequest({ ...body, max_tokens: null }, {}).maxTokens).toBe(4096);
  });

  it("passes sampling settings and stop sequences", () => {
    const request = parseOpenAIChatRequest(
      { ...defaultExample(), temperature: 0.2, top_p: 0.9, top_k: 40, stop: "\n\n" },
      {},
    );
    expect([request.temperature, request.topP, request.topK]).toEqual([0.2, 0.9, 40]);
    expect(request.stopSequences).toEqual(["\n\n"]);
    expect(parseOpenAIChatRequest({ ...defaultExample(), stop: ["END", "STOP"] }, {}).stopSequences).toEqual([
      "END",
      "STOP",
    ]);
  });

  it.each([
    [{}, "disabled"],
    [{ reasoning_effort: "low" }, "enabled"],
    [{ reasoning_effort: "medium" }, "enabled"],
    [{ reasoning_effort: "high" }, "enabled"],
    [{ reasoning_effort: "minimal" }, "disabled"],
    [{ reasoning_effort: "none" }, "disabled"],
    [{ chat_template_kwargs: { enable_thinking: true } }, "enabled"],
    [{ chat_template_kwargs: { enable_thinking: false } }, "disabled"],
    [{ reasoning_effort: "none", chat_template_kwargs: { enable_thinking: true } }, "disabled"],
    [{ thinking: { type: "enabled" }, reasoning_effort: "none" }, "enabled"],
    [{ thinking: { type: "disabled" }, chat_template_kwargs: { enable_thinking: true } }, "disabled"],
  ])("thinking for %j is %s", (fields, mode) => {
    expect(parseOpenAIChatRequest({ ...defaultExample(), ...fields }, {}).thinking.mode).toBe(mode);
  });

  it("keeps reasoning_effort as the effort and thinking's budget", () => {
    expect(parseOpenAIChatRequest({ ...defaultExample(), reasoning_effort: "high" }, {}).effort).toBe("high");
    const budget = { ...defaultExample(), thinking: { type: "enabled", budget_tokens: 2048 } };
    expect(parseOpenAIChatRequest(budget, {}).thinking).toEqual({ mode: "enabled", budgetTokens: 2048 });
  });

  it("maps response_format", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const format = (response_format: unknown) =>
      parseOpenAIChatRequest({ ...defaultExample(), response_format }, {}).responseFormat;
    expect(format({ type: "json_schema", json_schema: { name: "city", schema, strict: true } })).toEqual({
      type: "json_schema",
      schema,
    });
    expect(format({ type: "json_object" })).toEqual({ type: "json_schema", schema: { type: "object" } });
    expect(format({ type: "text" })).toBeUndefined();
  });

  it("takes the session identity from user, else metadata", () => {
    const body = defaultExample();
    expect(parseOpenAIChatRequest({ ...body, user: "user-123" }, {}).client.userId).toBe("user-123");
    expect(parseOpenAIChatRequest({ ...body, metadata: { user_id: "u-7" } }, {}).client.userId).toBe("u-7");
    expect(parseOpenAIChatRequest({ ...body, metadata: { user_id: 7 } }, {}).client.userId).toBeUndefined();
  });

  it("accepts fields it does not use", () => {
    const body = { ...defaultExample(), logprobs: false, seed: 1, frequency_penalty: 0, service_tier: "auto", n: 1 };
    expect(parseOpenAIChatRequest(body, {}).messages).toHaveLength(1);
  });

  it("tells the route whether the client wants the usage chunk", () => {
    const wants = (extra: object) =>
      openAIStreamIncludesUsage(parseOpenAIChatRequest({ ...defaultExample(), ...extra }, {}));
    expect(wants({ stream_options: { include_usage: true } })).toBe(true);
    expect(wants({ stream_options: { include_usage: false } })).toBe(false);
    expect(wants({})).toBe(false);
  });
});

describe("parseOpenAIChatRequest rejects, naming the field", () => {
  it.each([
    [{ model: "gpt-4.1", messages: [] }, /^messages: at least one message is required$/],
    [{ messages: [{ role: "user", content: "hi" }] }, /^model: /],
    [{ ...defaultExample(), temperature: 3 }, /^temperature: /],
    [{ ...defaultExample(), max_tokens: 0 }, /^max_tokens: /],
    [{ ...defaultExample(), n: 2 }, /^n: only one choice/],
    [{ ...defaultExample(), reasoning_effort: "extreme" }, /^reasoning_effort: /],
    [{ ...defaultExample(), stop: 5 }, /^stop: /],
    [{ ...functionsExample(), tool_choice: "any" }, /^tool_choice: /],
    [{ ...functionsExample(), tools: [{ type: "custom", custom: { name: "x" } }] }, /^tools\.0\.type: /],
    [
      { ...functionsExample(), tools: [{ type: "function", function: { description: "x" } }] },
      /^tools\.0\.function\.name: /,
    ],
    [{ ...defaultExample(), response_format: { type: "json_schema" } }, /^response_format\.json_schema: /],
    ["not an object", /^body: /],
  ])("%j", (body, message) => {
    expect(rejects(body)).toMatch(message);
  });
});
