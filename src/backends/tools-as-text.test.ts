import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import type { CanonicalMessage, ToolDefinition } from "../core/canonical.js";
import { deepFreeze } from "../util/remember-frozen.js";
import { toChatMessages } from "./chat-completions/to-chat-messages.js";
import {
  chatToolsAsText,
  toolCallBlock,
  toolInstructions,
  toolListInstructions,
  toolOutputBlock,
  toolsAsText,
  withToolList,
} from "./tools-as-text.js";

const BASH: ToolDefinition = {
  name: "Bash",
  description: "Runs a command.",
  inputSchema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};
const COMPAT = { midConversationSystem: "as-user", vision: false } as const;

/** Claude Code's shape of a tool loop: a call, its result beside the user's next words, the answer. */
const LOOP: CanonicalMessage[] = [
  { role: "user", parts: [{ type: "text", text: "list and count" }] },
  {
    role: "assistant",
    parts: [
      { type: "thinking", text: "Two commands." },
      { type: "text", text: "Running both." },
      { type: "tool_call", id: "a", name: "Bash", input: { command: "ls" } },
      { type: "tool_call", id: "b", name: "Bash", input: { command: "ls | wc -l" } },
    ],
  },
  {
    role: "user",
    parts: [
      { type: "tool_result", toolCallId: "a", content: [{ type: "text", text: "x.txt" }], isError: false },
      { type: "tool_result", toolCallId: "b", content: [{ type: "text", text: "no wc" }], isError: true },
      { type: "text", text: "thanks" },
    ],
  },
  { role: "assistant", parts: [{ type: "text", text: "One file." }] },
];

describe("toolsAsText", () => {
  it("writes the tool list after the system prompt, calls after the turn's text, results as user text", () => {
    const request = toolsAsText(
      canonicalRequest({ system: [{ type: "text", text: "Be brief." }], messages: LOOP, tools: [BASH] }),
    );
    expect(request.tools).toEqual([]);
    expect(toChatMessages(request, COMPAT)).toEqual([
      { role: "system", content: `Be brief.\n${toolInstructions([BASH])}` },
      { role: "user", content: "list and count" },
      {
        role: "assistant",
        content: `Running both.\n\n${toolCallBlock("Bash", { command: "ls" })}\n\n${toolCallBlock("Bash", { command: "ls | wc -l" })}`,
        reasoning_content: "Two commands.",
      },
      { role: "user", content: `${toolOutputBlock("x.txt")}\n\n${toolOutputBlock("Error: no wc")}\n\nthanks` },
      { role: "assistant", content: "One file." },
    ]);
    expect(toolInstructions([BASH])).toContain(
      '{"name":"Bash","description":"Runs a command.","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}',
    );
  });

  it("leaves the tool list out when the client says none, and keeps a tool result's image after its text", () => {
    const image = { type: "image" as const, source: { kind: "base64" as const, mediaType: "image/png", data: "AA==" } };
    const request = toolsAsText(
      canonicalRequest({
        tools: [BASH],
        toolChoice: { type: "none" },
        messages: [
          {
            role: "user",
            parts: [
              {
                type: "tool_result",
                toolCallId: "a",
                content: [{ type: "text", text: "shot" }, image],
                isError: false,
              },
            ],
          },
        ],
      }),
    );
    expect(request.system).toEqual([]);
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: toolOutputBlock("shot\n[image attached below]") }, image] },
    ]);
  });

  it("makes each frozen message's turn once, and the same text on every turn", () => {
    const history = deepFreeze(LOOP);
    const first = toolsAsText(canonicalRequest({ messages: history.slice(0, 3), tools: [BASH] }));
    const second = toolsAsText(canonicalRequest({ messages: history, tools: [BASH] }));
    expect(second.messages.slice(0, 3)).toEqual(first.messages);
    expect(second.messages[1]).toBe(first.messages[1]);
  });

  it("gives a conversation that starts as Chat Completions messages the same text", () => {
    const request = toolsAsText(
      canonicalRequest({ system: [{ type: "text", text: "Be brief." }], messages: LOOP.slice(0, 2), tools: [BASH] }),
    );
    const chat = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "list and count" },
      {
        role: "assistant",
        content: "Running both.",
        reasoning_content: "Two commands.",
        tool_calls: [
          { id: "a", type: "function", function: { name: "Bash", arguments: '{"command":"ls"}' } },
          { id: "b", type: "function", function: { name: "Bash", arguments: '{"command":"ls | wc -l"}' } },
        ],
      },
      { role: "tool", tool_call_id: "a", content: "x.txt" },
      { role: "user", content: "thanks" },
    ];
    const converted = toChatMessages(request, COMPAT);
    expect(chatToolsAsText(chat, [BASH])).toEqual([
      ...converted,
      { role: "user", content: `${toolOutputBlock("x.txt")}\n\nthanks` },
    ]);
  });
});

describe("withToolList", () => {
  const CALL =
    "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS<｜tool▁call▁end｜><｜tool▁calls▁end｜>";

  it("writes the tool list after the system prompt in the family's call syntax, and keeps the tools", () => {
    const request = withToolList(
      canonicalRequest({ system: [{ type: "text", text: "Be brief." }], tools: [BASH] }),
      CALL,
    );
    expect(request.tools).toEqual([BASH]);
    expect(toChatMessages(request, COMPAT)[0]).toEqual({
      role: "system",
      content: `Be brief.\n${toolListInstructions([BASH], CALL)}`,
    });
    expect(toolListInstructions([BASH], CALL)).toContain(`write ${CALL} with NAME the tool's name`);
  });

  it("adds nothing without tools or when the client says none, and the same text each turn", () => {
    const none = canonicalRequest({ tools: [BASH], toolChoice: { type: "none" } });
    expect(withToolList(none, CALL)).toBe(none);
    const tools = deepFreeze([BASH]);
    const first = withToolList(canonicalRequest({ tools }), CALL);
    expect(withToolList(canonicalRequest({ tools }), CALL).system.at(-1)).toBe(first.system.at(-1));
  });
});
