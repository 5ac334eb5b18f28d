import { describe, expect, it } from "vitest";
import { readSseFixture } from "../../test/support/anthropic-protocol-server.js";
import { anthropicRequestViolation, IssuedThinking } from "../../test/support/anthropic-request-rules.js";
import { thinkingSignature } from "../backends/canonical-block-writer.js";
import type { CanonicalPart } from "../core/canonical.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import { historyTargetFor, transformHistory } from "./transform-history.js";

const ANTHROPIC = historyTargetFor({ kind: "anthropic" });
const LOCAL = historyTargetFor({ kind: "llama-server" });

const LOCAL_THOUGHT = "The user wants the files listed. I will run ls.";
const localThinking = { type: "thinking", thinking: LOCAL_THOUGHT, signature: thinkingSignature(LOCAL_THOUGHT) };
/** The documented thinking stream's block (test/fixtures/anthropic/thinking-stream.sse), as a client keeps it. */
const CLOUD_THOUGHT =
  "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231";
const cloudThinking = {
  type: "thinking",
  thinking: CLOUD_THOUGHT,
  signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...",
};
const tools = [{ name: "Bash", description: "run a command", input_schema: { type: "object" } }];

/** A Claude Code-like body: thinking on, tools, cache_control on the last user block. */
function body(messages: unknown[], thinking: unknown = { type: "enabled", budget_tokens: 1024 }) {
  return { model: "claude-sonnet-4-5", max_tokens: 4096, stream: true, thinking, tools, messages };
}

/** The local model's tool loop: it thought, called a tool, and the tool answered. */
const localToolLoop = (id = "abc123", thought: unknown[] = [localThinking]) => [
  { role: "user", content: [{ type: "text", text: "list the files" }] },
  { role: "assistant", content: [...thought, { type: "tool_use", id, name: "Bash", input: { command: "ls" } }] },
  {
    role: "user",
    content: [
      { type: "tool_result", tool_use_id: id, content: "a.txt", is_error: true, cache_control: { type: "ephemeral" } },
    ],
  },
];

function issuedByTheFake(): IssuedThinking {
  const issued = new IssuedThinking();
  issued.rememberStream(readSseFixture("thinking-stream"));
  return issued;
}

const sentBody = (request: ReturnType<typeof parseAnthropicRequest>) =>
  request.client.body as Omit<ReturnType<typeof body>, "messages"> & { messages: Array<{ content?: unknown }> };
const thinkingParts = (parts: readonly CanonicalPart[]) => parts.filter((part) => part.type === "thinking");

describe("cross-model history towards Anthropic", () => {
  it("drops thinking a local model signed and turns thinking off when the tool loop's last turn was local", () => {
    const request = parseAnthropicRequest(body(localToolLoop()));
    const issued = issuedByTheFake();
    expect(anthropicRequestViolation(request.client.body, issued)).toBe(
      "messages.1.content.0: Invalid `signature` in `thinking` block",
    );
    const { request: converted, changes } = transformHistory(request, ANTHROPIC);
    expect(anthropicRequestViolation(converted.client.body, issued)).toBeUndefined();
    expect(changes).toMatchObject({ droppedThinking: 1, thinkingOff: expect.stringContaining("messages.1") });
    expect(sentBody(converted).thinking).toBeUndefined();
    expect(converted.thinking.mode).toBe("disabled");
    expect(sentBody(converted).messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "abc123", name: "Bash", input: { command: "ls" } }],
    });
    // The client's cache markers stay: the cloud caches the prefix from the first escalated turn on.
    expect(JSON.stringify(sentBody(converted).messages[2])).toContain("cache_control");
    expect(converted.messages.flatMap((message) => thinkingParts(message.parts))).toEqual([]);
    // Thinking off only once the local thinking is gone: kept, the request is still refused.
    expect(anthropicRequestViolation({ ...sentBody(converted), thinking: sentBody(request).thinking }, issued)).toMatch(
      /a final `assistant` message must start with a thinking block/,
    );
  });

  it("keeps thinking on for a plain turn after local thinking", () => {
    const messages = [
      { role: "user", content: "hi" },
      { role: "assistant", content: [localThinking, { type: "text", text: "Hello." }] },
      { role: "user", content: "/cloud\nnow think hard" },
    ];
    const { request, changes } = transformHistory(parseAnthropicRequest(body(messages)), ANTHROPIC);
    expect(changes).toEqual({ droppedThinking: 1 });
    expect(sentBody(request).thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(sentBody(request).messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "Hello." }] });
    expect(anthropicRequestViolation(request.client.body, issuedByTheFake())).toBeUndefined();
  });

  it("finds local thinking in the client's body where normalization moved the canonical parts", () => {
    // The gateway joins adjacent text parts before routing: canonical part 1 is the thinking, wire block 2.
    const messages = localToolLoop("abc123", [
      { type: "text", text: "Let me " },
      { type: "text", text: "look." },
      localThinking,
    ]);
    const request = normalizeForCache(parseAnthropicRequest(body(messages)));
    expect(request.messages[1]?.parts.map((part) => part.type)).toEqual(["text", "thinking", "tool_call"]);
    const { request: converted } = transformHistory(request, ANTHROPIC);
    expect(sentBody(converted).messages[1]?.content).toEqual([
      { type: "text", text: "Let me " },
      { type: "text", text: "look." },
      { type: "tool_use", id: "abc123", name: "Bash", input: { command: "ls" } },
    ]);
    expect(anthropicRequestViolation(converted.client.body, issuedByTheFake())).toBeUndefined();
  });

  it("keeps another model's thinking as plain text when the policy says text", () => {
    const target = historyTargetFor({ kind: "anthropic" }, "text");
    const { request, changes } = transformHistory(parseAnthropicRequest(body(localToolLoop())), target);
    expect(changes).toMatchObject({ thinkingAsText: 1 });
    expect(sentBody(request).messages[1]?.content).toEqual([
      { type: "text", text: LOCAL_THOUGHT },
      { type: "tool_use", id: "abc123", name: "Bash", input: { command: "ls" } },
    ]);
    expect(request.messages[1]?.parts[0]).toEqual({ type: "text", text: LOCAL_THOUGHT });
    expect(anthropicRequestViolation(request.client.body, issuedByTheFake())).toBeUndefined();
  });

  it("leaves Claude's own signed thinking and an adaptive tool loop as they are", () => {
    const messages = [
      { role: "user", content: "27 * 453?" },
      { role: "assistant", content: [cloudThinking, { type: "tool_use", id: "toolu_01", name: "Bash", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "12231" }] },
    ];
    const own = parseAnthropicRequest(body(messages));
    expect(transformHistory(own, ANTHROPIC)).toEqual({ request: own, changes: undefined });
    const adaptive = parseAnthropicRequest(body(localToolLoop(), { type: "adaptive" }));
    const converted = transformHistory(adaptive, ANTHROPIC);
    expect(converted.changes).toEqual({ droppedThinking: 1 });
    expect(sentBody(converted.request).thinking).toEqual({ type: "adaptive" });
  });

  it("rewrites tool ids outside Anthropic's pattern, the same in the tool_use and its tool_result", () => {
    const request = parseAnthropicRequest(body(localToolLoop("functions.Bash:0", []), { type: "disabled" }));
    expect(anthropicRequestViolation(request.client.body, issuedByTheFake())).toMatch(
      /tool_use\.id: String should match/,
    );
    const { request: converted, changes } = transformHistory(request, ANTHROPIC);
    expect(changes).toMatchObject({ renamedToolIds: 1 });
    const wire = JSON.stringify(sentBody(converted).messages);
    expect(wire).toContain('"id":"functions_Bash_0"');
    expect(wire).toContain('"tool_use_id":"functions_Bash_0"');
    expect(converted.messages[2]?.parts[0]).toMatchObject({ type: "tool_result", toolCallId: "functions_Bash_0" });
    expect(anthropicRequestViolation(converted.client.body, issuedByTheFake())).toBeUndefined();
  });

  it("drops clear_thinking context edits with thinking, which they need", () => {
    const request = parseAnthropicRequest({
      ...body(localToolLoop()),
      context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
    });
    expect(
      (transformHistory(request, ANTHROPIC).request.client.body as Record<string, unknown>).context_management,
    ).toBe(undefined);
  });
});

describe("cross-model history towards a local engine", () => {
  const cloudSession = () =>
    parseAnthropicRequest(
      body([
        { role: "user", content: "27 * 453?" },
        {
          role: "assistant",
          content: [
            cloudThinking,
            { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix" },
            { type: "text", text: "12,231" },
          ],
        },
        { role: "user", content: "/local\nthanks" },
      ]),
    );

  it("keeps Claude's thinking as reasoning text and drops redacted thinking", () => {
    const { request, changes } = transformHistory(cloudSession(), LOCAL);
    expect(changes).toEqual({ droppedRedactedThinking: 1 });
    expect(request.messages[1]?.parts.map((part) => part.type)).toEqual(["thinking", "text"]);
    expect(thinkingParts(request.messages[1]?.parts ?? [])[0]).toMatchObject({ text: CLOUD_THOUGHT });
    expect(request.thinking.mode).toBe("enabled");
  });

  it("drops Claude's thinking when the policy says drop, and keeps the local model's own", () => {
    const target = historyTargetFor({ kind: "llama-server" }, "drop");
    expect(transformHistory(cloudSession(), target).request.messages[1]?.parts).toEqual([
      { type: "text", text: "12,231" },
    ]);
    const own = parseAnthropicRequest(body(localToolLoop()));
    expect(transformHistory(own, target)).toEqual({ request: own, changes: undefined });
  });
});
