import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import type { CanonicalMessage, CanonicalRequest } from "../../core/canonical.js";
import { joinText } from "../../core/join-text.js";
import { parseAnthropicRequest } from "../../protocols/anthropic/parse-anthropic-request.js";
import { type ChatMessagesCompat, toChatMessages } from "./to-chat-messages.js";

/** Real Claude Code 2.1.197 traffic (see test/fixtures/claude-code/README.md). */
const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/claude-code/claude-code-2.1.197");

const fixtureRequest = (name: string): CanonicalRequest => {
  const recorded = JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as {
    headers: Record<string, string>;
    body: unknown;
  };
  return parseAnthropicRequest(recorded.body, recorded.headers);
};

const AS_USER: ChatMessagesCompat = { midConversationSystem: "as-user", vision: false };
const NATIVE: ChatMessagesCompat = { midConversationSystem: "native", vision: false };
const VISION: ChatMessagesCompat = { midConversationSystem: "as-user", vision: true };

const text = (value: string) => ({ type: "text" as const, text: value });
const user = (...parts: CanonicalMessage["parts"]): CanonicalMessage => ({ role: "user", parts });
const assistant = (...parts: CanonicalMessage["parts"]): CanonicalMessage => ({ role: "assistant", parts });
const system = (...parts: CanonicalMessage["parts"]): CanonicalMessage => ({ role: "system", parts });

describe("toChatMessages: system messages", () => {
  it("puts the top-level system blocks into one leading system message", () => {
    const messages = toChatMessages(
      canonicalRequest({ system: [text("You are helpful."), text("Be brief.")] }),
      AS_USER,
    );
    expect(messages).toEqual([
      { role: "system", content: "You are helpful.\nBe brief." },
      { role: "user", content: "hi" },
    ]);
  });

  it("sends no system message when there is none", () => {
    expect(toChatMessages(canonicalRequest(), AS_USER)).toEqual([{ role: "user", content: "hi" }]);
  });

  it("as-user: a mid-conversation system message becomes a <system-reminder> user turn at the same position", () => {
    const request = canonicalRequest({
      system: [text("top")],
      messages: [
        user(text("first")),
        assistant(text("ok")),
        system(text("reminder one"), text("reminder two")),
        user(text("second")),
      ],
    });
    expect(toChatMessages(request, AS_USER)).toEqual([
      { role: "system", content: "top" },
      { role: "user", content: "first" },
      { role: "assistant", content: "ok" },
      { role: "user", content: "<system-reminder>\nreminder one\nreminder two\n</system-reminder>" },
      { role: "user", content: "second" },
    ]);
  });

  it("native: a mid-conversation system message stays a system message in place", () => {
    const request = canonicalRequest({
      system: [text("top")],
      messages: [user(text("first")), system(text("late")), assistant(text("ok"))],
    });
    expect(toChatMessages(request, NATIVE)).toEqual([
      { role: "system", content: "top" },
      { role: "user", content: "first" },
      { role: "system", content: "late" },
      { role: "assistant", content: "ok" },
    ]);
  });

  describe("on Claude Code's basic-session/003.json", () => {
    const request = fixtureRequest("basic-session/003.json");
    const midSystem = request.messages[1];

    it("the recorded request has a system message after the first user turn", () => {
      expect(request.messages.map((message) => message.role)).toEqual(["user", "system"]);
      expect(midSystem?.parts[0]).toMatchObject({ type: "text" });
    });

    it("as-user: the system message becomes a user turn at the same position, not moved, not dropped", () => {
      const messages = toChatMessages(request, AS_USER);
      const reminder = midSystem?.parts[0]?.type === "text" ? midSystem.parts[0].text : "";
      expect(reminder).toMatch(/^Available agent types for the Agent tool:/);
      expect(messages).toHaveLength(3);
      expect(messages[0]).toEqual({ role: "system", content: joinText(request.system.map((part) => part.text)) });
      expect(messages[0]?.content).toMatch(/^x-anthropic-billing-header: /);
      // The first user turn: a <system-reminder> context block then the prompt, joined.
      expect(messages[1]).toEqual({
        role: "user",
        content: expect.stringMatching(
          /^<system-reminder>\nAs you answer[\s\S]*<\/system-reminder>\n\nlook around this repo and tell me what it does$/,
        ),
      });
      expect(messages[2]).toEqual({ role: "user", content: `<system-reminder>\n${reminder}\n</system-reminder>` });
      expect(messages.filter((message) => message.role === "system")).toHaveLength(1);
    });

    it("native: the system message stays role system at the same position", () => {
      const messages = toChatMessages(request, NATIVE);
      expect(messages.map((message) => message.role)).toEqual(["system", "user", "system"]);
      const reminder = midSystem?.parts[0]?.type === "text" ? midSystem.parts[0].text : "";
      expect(messages[2]).toEqual({ role: "system", content: reminder });
    });

    it("keeps positions through a whole tool-using session (basic-session/006.json)", () => {
      const messages = toChatMessages(fixtureRequest("basic-session/006.json"), AS_USER);
      expect(messages.map((message) => message.role)).toEqual([
        "system",
        "user",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "tool",
      ]);
      expect(messages[2]?.content).toMatch(/^<system-reminder>\nAvailable agent types/);
      expect(messages[8]).toEqual({
        role: "tool",
        tool_call_id: "toolu_0005",
        content: expect.stringMatching(/^Error: <tool_use_error>String to replace not found/),
      });
    });
  });
});

describe("toChatMessages: assistant turns", () => {
  it("maps text, thinking and tool_use to content, reasoning_content and tool_calls with JSON arguments", () => {
    const request = canonicalRequest({
      messages: [
        user(text("list files")),
        assistant(
          { type: "thinking", text: "I should look.", signature: "sig" },
          text("Let me check."),
          { type: "tool_call", id: "toolu_1", name: "Bash", input: { command: "ls -la", flags: [1, 2] } },
          { type: "tool_call", id: "toolu_2", name: "Read", input: {} },
        ),
      ],
    });
    expect(toChatMessages(request, AS_USER)[1]).toEqual({
      role: "assistant",
      content: "Let me check.",
      reasoning_content: "I should look.",
      tool_calls: [
        {
          id: "toolu_1",
          type: "function",
          function: { name: "Bash", arguments: '{"command":"ls -la","flags":[1,2]}' },
        },
        { id: "toolu_2", type: "function", function: { name: "Read", arguments: "{}" } },
      ],
    });
  });

  it("joins several text and thinking parts and leaves out empty fields", () => {
    const request = canonicalRequest({
      messages: [
        user(text("q")),
        assistant(
          { type: "thinking", text: "a" },
          { type: "thinking", text: "b" },
          { type: "redacted_thinking", data: "opaque" },
          text("x"),
          text("y"),
        ),
        assistant(text("plain")),
      ],
    });
    const messages = toChatMessages(request, AS_USER);
    expect(messages[1]).toEqual({ role: "assistant", content: "x\ny", reasoning_content: "a\nb" });
    expect(messages[2]).toEqual({ role: "assistant", content: "plain" });
    expect(messages[2]).not.toHaveProperty("tool_calls");
    expect(messages[2]).not.toHaveProperty("reasoning_content");
  });

  it("an assistant turn with only a tool call has empty content", () => {
    const request = canonicalRequest({
      messages: [user(text("q")), assistant({ type: "tool_call", id: "t", name: "Bash", input: { c: 1 } })],
    });
    expect(toChatMessages(request, AS_USER)[1]).toEqual({
      role: "assistant",
      content: "",
      tool_calls: [{ id: "t", type: "function", function: { name: "Bash", arguments: '{"c":1}' } }],
    });
  });
});

describe("toChatMessages: user turns", () => {
  const withToolCalls = (...results: CanonicalMessage["parts"]) =>
    canonicalRequest({
      messages: [
        user(text("go")),
        assistant(
          { type: "tool_call", id: "toolu_a", name: "Bash", input: {} },
          { type: "tool_call", id: "toolu_b", name: "Read", input: {} },
        ),
        user(...results),
      ],
    });

  it("turns tool_results into tool messages in order, then a user message for the remaining text", () => {
    const messages = toChatMessages(
      withToolCalls(
        { type: "tool_result", toolCallId: "toolu_a", content: [text("out a")], isError: false },
        text("note one"),
        { type: "tool_result", toolCallId: "toolu_b", content: [text("line 1"), text("line 2")], isError: false },
        text("note two"),
      ),
      AS_USER,
    );
    expect(messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_a", content: "out a" },
      { role: "tool", tool_call_id: "toolu_b", content: "line 1\nline 2" },
      { role: "user", content: "note one\nnote two" },
    ]);
  });

  it("sends no extra user message when the turn holds only tool results", () => {
    const messages = toChatMessages(
      withToolCalls({ type: "tool_result", toolCallId: "toolu_a", content: [text("x")], isError: false }),
      AS_USER,
    );
    expect(messages.slice(2)).toEqual([{ role: "tool", tool_call_id: "toolu_a", content: "x" }]);
  });

  it('prefixes an error result with "Error: "', () => {
    const messages = toChatMessages(
      withToolCalls(
        { type: "tool_result", toolCallId: "toolu_a", content: [text("no such file")], isError: true },
        { type: "tool_result", toolCallId: "toolu_b", content: [], isError: true },
      ),
      AS_USER,
    );
    expect(messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_a", content: "Error: no such file" },
      { role: "tool", tool_call_id: "toolu_b", content: "Error: " },
    ]);
  });

  it("an empty user turn stays an (empty) user message", () => {
    expect(toChatMessages(canonicalRequest({ messages: [user()] }), AS_USER)).toEqual([{ role: "user", content: "" }]);
  });
});

describe("toChatMessages: images", () => {
  const base64Image = {
    type: "image" as const,
    source: { kind: "base64" as const, mediaType: "image/png", data: "iVBORw0KGgo=" },
  };
  const urlImage = { type: "image" as const, source: { kind: "url" as const, url: "https://example.com/cat.jpg" } };

  it("without vision, images become a text placeholder", () => {
    const request = canonicalRequest({ messages: [user(text("what is this?"), base64Image, urlImage)] });
    expect(toChatMessages(request, AS_USER)).toEqual([
      {
        role: "user",
        content:
          "what is this?\n[image/png image omitted: this model does not accept images]\n" +
          "[image at https://example.com/cat.jpg omitted: this model does not accept images]",
      },
    ]);
  });

  it("with vision, images become image_url parts next to text parts", () => {
    const request = canonicalRequest({ messages: [user(text("what is this?"), base64Image, urlImage)] });
    expect(toChatMessages(request, VISION)).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });

  it("with vision but no image, user content stays a string", () => {
    expect(toChatMessages(canonicalRequest({ messages: [user(text("a"), text("b"))] }), VISION)).toEqual([
      { role: "user", content: "a\nb" },
    ]);
  });

  it("images inside tool results become placeholders (tool messages carry text)", () => {
    const request = canonicalRequest({
      messages: [
        user(text("shot")),
        assistant({ type: "tool_call", id: "t", name: "Screenshot", input: {} }),
        user({ type: "tool_result", toolCallId: "t", content: [text("taken"), base64Image], isError: false }),
      ],
    });
    expect(toChatMessages(request, AS_USER)[2]).toEqual({
      role: "tool",
      tool_call_id: "t",
      content: "taken\n[image/png image omitted: this model does not accept images]",
    });
  });

  it("with vision, images inside tool results still reach the model as image_url parts", () => {
    const request = canonicalRequest({
      messages: [
        user(text("shot")),
        assistant({ type: "tool_call", id: "t", name: "Read", input: { file_path: "/a.png" } }),
        user({ type: "tool_result", toolCallId: "t", content: [text("taken"), base64Image], isError: false }),
      ],
    });
    const messages = toChatMessages(request, VISION);
    expect(JSON.stringify(messages)).not.toContain("does not accept images");
    expect(messages.slice(2)).toContainEqual(
      expect.objectContaining({
        role: "user",
        content: expect.arrayContaining([
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ]),
      }),
    );
  });
});
