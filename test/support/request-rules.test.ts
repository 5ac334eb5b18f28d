import { describe, expect, it } from "vitest";
import { readSseFixture } from "./anthropic-protocol-server.js";
import { anthropicRequestViolation, IssuedThinking } from "./anthropic-request-rules.js";
import { openAIRequestViolation } from "./openai-request-rules.js";
import { vllmToolParserRefusal } from "./vllm-protocol-server.js";

/** The fakes' rules, one case each: the documented request passes, the broken one gets the API's message. */
describe("the strict Anthropic fake's rules", () => {
  const issued = new IssuedThinking();
  issued.rememberStream(readSseFixture("thinking-stream"));
  const signed = {
    type: "thinking",
    thinking:
      "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231",
    signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...",
  };
  const toolUse = { type: "tool_use", id: "toolu_01", name: "Bash", input: {} };
  const loop = (assistant: unknown[]) => [
    { role: "user", content: "go" },
    { role: "assistant", content: assistant },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "ok" }] },
  ];
  const request = (fields: Record<string, unknown>) => ({
    model: "claude-sonnet-4-5",
    max_tokens: 4096,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: loop([signed, toolUse]),
    ...fields,
  });
  const violation = (fields: Record<string, unknown>) => anthropicRequestViolation(request(fields), issued);

  it("takes back thinking it signed, in a tool loop with thinking on", () => {
    expect(violation({})).toBeUndefined();
  });

  it("refuses a signature it did not issue, or its signature on other text", () => {
    expect(violation({ messages: loop([{ ...signed, signature: "switchyard-local-abc" }, toolUse]) })).toBe(
      "messages.1.content.0: Invalid `signature` in `thinking` block",
    );
    expect(violation({ messages: loop([{ ...signed, thinking: "edited" }, toolUse]) })).toMatch(/Invalid `signature`/);
    expect(violation({ messages: loop([{ type: "redacted_thinking", data: "abc" }, toolUse]) })).toMatch(
      /Invalid `data` in `redacted_thinking`/,
    );
  });

  it("wants the final tool_use turn to start with thinking while thinking is enabled", () => {
    expect(violation({ messages: loop([toolUse]) })).toMatch(
      /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`/,
    );
    expect(violation({ messages: loop([toolUse]), thinking: undefined })).toBeUndefined();
    expect(violation({ messages: loop([toolUse]), thinking: { type: "adaptive" } })).toBeUndefined();
  });

  it("refuses thinking in a final assistant message while thinking is off", () => {
    const messages = [
      { role: "user", content: "go" },
      { role: "assistant", content: [signed] },
    ];
    expect(violation({ messages, thinking: { type: "disabled" } })).toMatch(/in the final position cannot contain/);
  });

  it("checks tool_use ids against the documented pattern", () => {
    expect(violation({ messages: loop([signed, { ...toolUse, id: "functions.Bash:0" }]) })).toBe(
      "messages.1.content.1.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    );
  });

  it("checks the budget and the parameters thinking forbids", () => {
    expect(violation({ thinking: { type: "enabled", budget_tokens: 1023 } })).toMatch(/greater than or equal to 1024/);
    expect(violation({ max_tokens: 1024 })).toMatch(/`max_tokens` must be greater than `thinking.budget_tokens`/);
    expect(violation({ temperature: 0.5 })).toMatch(/`temperature` may only be set to 1/);
    expect(violation({ temperature: 1 })).toBeUndefined();
    expect(violation({ top_k: 5 })).toMatch(/`top_k`/);
    expect(violation({ top_p: 0.5 })).toMatch(/`top_p`/);
    expect(violation({ top_p: 0.95 })).toBeUndefined();
    expect(violation({ tool_choice: { type: "any" } })).toMatch(/tool_choice forces tool use/);
    expect(violation({ tool_choice: { type: "tool", name: "Bash" } })).toMatch(/tool_choice forces tool use/);
    expect(violation({ tool_choice: { type: "any" }, thinking: { type: "adaptive" } })).toBeUndefined();
    expect(violation({ temperature: 0.5, thinking: undefined, messages: loop([toolUse]) })).toBeUndefined();
  });
});

describe("the strict OpenAI fake's rules", () => {
  const call = (id: string) => ({ id, type: "function", function: { name: "Bash", arguments: "{}" } });
  const violation = (messages: unknown[]) => openAIRequestViolation({ model: "gpt-4o", messages });

  it("takes a tool loop whose tool messages answer the assistant's calls", () => {
    expect(
      violation([
        { role: "system", content: "be brief" },
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [call("call_1"), call("call_2")] },
        { role: "tool", tool_call_id: "call_2", content: "ok" },
        { role: "tool", tool_call_id: "call_1", content: "ok" },
        { role: "user", content: "thanks" },
      ]),
    ).toBeUndefined();
  });

  it("refuses a tool message that answers no call of the assistant message before it", () => {
    expect(
      violation([
        { role: "user", content: "go" },
        { role: "tool", tool_call_id: "call_1", content: "ok" },
      ]),
    ).toMatchObject({
      message:
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      param: "messages.[1].role",
    });
    expect(
      violation([
        { role: "assistant", content: null, tool_calls: [call("call_1")] },
        { role: "tool", tool_call_id: "call_9", content: "ok" },
      ]),
    ).toMatchObject({ param: "messages.[1].role" });
  });

  it("refuses a conversation that goes on before every call is answered", () => {
    expect(
      violation([
        { role: "assistant", content: null, tool_calls: [call("call_1"), call("call_2")] },
        { role: "tool", tool_call_id: "call_1", content: "ok" },
        { role: "user", content: "and?" },
      ]),
    ).toMatchObject({
      message: expect.stringContaining("did not have response messages: call_2"),
      param: "messages.[0].role",
    });
  });

  it("refuses a role the API does not know", () => {
    expect(violation([{ role: "reasoning", content: "hm" }])).toMatchObject({
      message:
        "Invalid value: 'reasoning'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
      code: "invalid_value",
    });
  });
});

describe("the vLLM fake without a tool parser", () => {
  const tools = [{ type: "function", function: { name: "Bash", parameters: { type: "object" } } }];
  const message = (body: unknown) =>
    (vllmToolParserRefusal(body)?.json as { error: { message: string } } | undefined)?.error.message;

  it("refuses tools as vLLM does for each tool_choice, and lets none or no tools through", () => {
    expect(message({ tools })).toBe(
      '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
    );
    expect(message({ tools, tool_choice: "required" })).toBe(
      'tool_choice="required" requires --tool-call-parser to be set',
    );
    expect(message({ tools, tool_choice: { type: "function", function: { name: "Bash" } } })).toBe(
      'tool_choice=function "Bash" requires --tool-call-parser to be set',
    );
    expect(vllmToolParserRefusal({ tools, tool_choice: "none" })).toBeUndefined();
    expect(vllmToolParserRefusal({ messages: [] })).toBeUndefined();
  });
});
