import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import type { CanonicalRequest } from "../../core/canonical.js";
import { type ChatCompletionsCompat, toChatCompletionsBody } from "./to-chat-completions-body.js";
import type { ChatMessage } from "./to-chat-messages.js";

const HOSTED: ChatCompletionsCompat = { midConversationSystem: "native", vision: true };

const withReasoning = (): CanonicalRequest =>
  canonicalRequest({
    topK: 20,
    thinking: { mode: "enabled" },
    tools: [{ name: "Read", description: "", inputSchema: { type: "object" } }],
    toolChoice: { type: "any", parallel: true },
    messages: [
      { role: "user", parts: [{ type: "text", text: "q" }] },
      {
        role: "assistant",
        parts: [
          { type: "thinking", text: "pondering" },
          { type: "text", text: "a" },
        ],
      },
      { role: "user", parts: [{ type: "text", text: "again" }] },
    ],
  });

describe("toChatCompletionsBody (the standard body)", () => {
  it("holds only OpenAI's own fields: no server's extension is in it", () => {
    const body = toChatCompletionsBody(withReasoning(), "gpt", HOSTED);
    expect(Object.keys(body).sort()).toEqual(
      [
        "max_tokens",
        "messages",
        "model",
        "parallel_tool_calls",
        "stream",
        "stream_options",
        "tool_choice",
        "tools",
      ].sort(),
    );
    expect(body).toMatchObject({ max_tokens: 512, stream: true, stream_options: { include_usage: true } });
  });

  it("puts the completion limit where compat says", () => {
    const body = toChatCompletionsBody(canonicalRequest(), "o3", {
      ...HOSTED,
      maxTokensField: "max_completion_tokens",
    });
    expect(body.max_completion_tokens).toBe(512);
    expect(body).not.toHaveProperty("max_tokens");
  });

  it("sends an assistant turn's reasoning back under the field compat names (reasoning_content by default)", () => {
    const assistantOf = (compat: ChatCompletionsCompat) =>
      (toChatCompletionsBody(withReasoning(), "m", compat).messages as ChatMessage[])[1];
    expect(assistantOf(HOSTED)).toEqual({ role: "assistant", content: "a", reasoning_content: "pondering" });
    expect(assistantOf({ ...HOSTED, reasoningField: "reasoning" })).toEqual({
      role: "assistant",
      content: "a",
      reasoning: "pondering",
    });
  });

  it("sends the messages it is given (a server's own, with its history remedies)", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "rewritten" }];
    expect(toChatCompletionsBody(withReasoning(), "m", HOSTED, messages).messages).toBe(messages);
  });

  it("converts a frozen message once per compat object, so a backend's next turn reuses it", () => {
    const request = withReasoning();
    for (const message of request.messages) Object.freeze(message);
    const first = toChatCompletionsBody(request, "m", HOSTED).messages as ChatMessage[];
    const again = toChatCompletionsBody(request, "m", HOSTED).messages as ChatMessage[];
    expect(again[1]).toBe(first[1]);
    const other = toChatCompletionsBody(request, "m", { ...HOSTED, reasoningField: "reasoning" })
      .messages as ChatMessage[];
    expect(other[1]).not.toBe(first[1]);
  });
});
