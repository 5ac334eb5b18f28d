import { describe, expect, it } from "vitest";
import type { HistoryRemedy } from "../../families/history-remedy-kind.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { applyHistoryRemedy } from "./history-remedy.js";
import { joinAdjacentUserTurns } from "./to-llama-server-body.js";

const call = { id: "c1", type: "function" as const, function: { name: "Bash", arguments: '{"command":"ls"}' } };
const conversation: ChatMessage[] = [
  { role: "system", content: "You are a coding agent." },
  { role: "user", content: "List the files." },
  { role: "assistant", content: "Listing.", reasoning_content: "The user wants a listing.", tool_calls: [call] },
  { role: "tool", tool_call_id: "c1", content: "README.md" },
  { role: "assistant", content: "One file.", reasoning_content: "Done." },
  { role: "user", content: "Read it." },
  { role: "assistant", content: "Reading.", reasoning_content: "Now read.", tool_calls: [call] },
  { role: "tool", tool_call_id: "c1", content: "# Readme" },
];

describe("applyHistoryRemedy", () => {
  it("writes the reasoning into turns before the last user query, as the template writes it after one", () => {
    const remedy: HistoryRemedy = {
      kind: "embed-reasoning",
      open: "<think>\n",
      close: "\n</think>\n\n",
      whenEmpty: true,
    };
    const out = applyHistoryRemedy(conversation, remedy);
    expect(out[2]).toMatchObject({
      content: "<think>\nThe user wants a listing.\n</think>\n\nListing.",
      reasoning_content: " ",
    });
    expect(out[4]).toMatchObject({ content: "<think>\nDone.\n</think>\n\nOne file.", reasoning_content: " " });
    // After the last query the template writes the wrapper itself.
    expect(out[6]).toBe(conversation[6]);
  });

  it("leaves a turn without reasoning alone when the template writes no wrapper for it", () => {
    const plain: ChatMessage[] = [
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
    ];
    const out = applyHistoryRemedy(plain, { kind: "embed-reasoning", open: "<t>", close: "</t>", whenEmpty: false });
    expect(out[1]).toEqual({ role: "assistant", content: "b" });
  });

  it("sends a turn without reasoning as having thought nothing, where the generation prompt opened a block", () => {
    const run: ChatMessage[] = [
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
      { role: "assistant", content: "d" },
      { role: "tool", tool_call_id: "t", content: "e" },
    ];
    // A template that writes a blank reasoning as it stands (MiniMax-M2): the same bytes before the last query.
    const verbatim = applyHistoryRemedy(run, {
      kind: "embed-reasoning",
      open: "<t>",
      close: "</t>",
      whenEmpty: false,
      empty: { value: " ", written: " ", when: "always" },
    });
    expect(verbatim[1]).toEqual({ role: "assistant", content: "<t> </t>b", reasoning_content: " " });
    expect(verbatim[3]).toEqual({ role: "assistant", content: "d", reasoning_content: " " });
    // A template that ignores a blank reasoning (Nemotron 3 Nano): the empty block goes into the content.
    const ignored: HistoryRemedy = {
      kind: "embed-reasoning",
      open: "<t>",
      close: "</t>",
      whenEmpty: false,
      empty: { when: "thinking" },
    };
    expect(applyHistoryRemedy(run, ignored, true)[3]).toEqual({ role: "assistant", content: "<t></t>d" });
    // With thinking off that template's generation prompt opens no block, so nothing is added.
    expect(applyHistoryRemedy(run, ignored, false)[3]).toBe(run[3]);
    expect(applyHistoryRemedy(run, ignored, false)[1]).toEqual({ role: "assistant", content: "b" });
    // A turn that did reason keeps its reasoning.
    const reasoned = applyHistoryRemedy(
      [...run.slice(0, 3), { role: "assistant", content: "d", reasoning_content: "r" }],
      {
        kind: "none",
        empty: { value: " ", when: "thinking" },
      },
    );
    expect(reasoned[3]).toEqual({ role: "assistant", content: "d", reasoning_content: "r" });
    expect(reasoned[1]).toEqual({ role: "assistant", content: "b", reasoning_content: " " });
  });

  it("leaves to the template the separator it writes before a tool call only after content (Qwen3)", () => {
    const remedy: HistoryRemedy = {
      kind: "embed-reasoning",
      open: "<think>\n",
      close: "\n</think>\n\n",
      whenEmpty: false,
      empty: { value: "\n", when: "always" },
      toolCallSeparator: "\n",
    };
    const run: ChatMessage[] = [
      { role: "user", content: "a" },
      { role: "assistant", content: "", reasoning_content: "Look.", tool_calls: [call] },
      { role: "tool", tool_call_id: "c1", content: "README.md" },
      { role: "assistant", content: "", tool_calls: [call] },
      { role: "tool", tool_call_id: "c1", content: "README.md" },
      { role: "assistant", content: "Listed.", tool_calls: [call] },
      { role: "tool", tool_call_id: "c1", content: "README.md" },
      { role: "user", content: "b" },
    ];
    // After the query the template writes `<think>\nLook.\n</think>\n\n<tool_call>`; before it, the embedded
    // content is not empty, so the template writes "\n" after it: the close is written one "\n" short.
    const out = applyHistoryRemedy(run, remedy);
    expect(out[1]).toMatchObject({ content: "<think>\nLook.\n</think>\n", reasoning_content: " " });
    expect(out[3]).toMatchObject({ content: "<think>\n\n</think>\n", reasoning_content: " " });
    // With text of its own, the template writes "\n" after the text either way.
    expect(out[5]).toMatchObject({ content: "<think>\n\n</think>\n\nListed.", reasoning_content: " " });
  });

  it("drops reasoning everywhere, and the text before a tool call where the family renders it as reasoning", () => {
    const out = applyHistoryRemedy(conversation, { kind: "drop-reasoning", toolCallTextIsReasoning: true });
    expect(out.filter((message) => message.role === "assistant")).toEqual([
      { role: "assistant", content: "", tool_calls: [call] },
      { role: "assistant", content: "One file." },
      { role: "assistant", content: "", tool_calls: [call] },
    ]);
  });

  it("never edits what it is given (messages may be frozen and shared between requests)", () => {
    const frozen = Object.freeze(conversation.map((message) => Object.freeze({ ...message }))) as ChatMessage[];
    expect(() => applyHistoryRemedy(frozen, { kind: "drop-reasoning", toolCallTextIsReasoning: true })).not.toThrow();
    expect(() =>
      applyHistoryRemedy(frozen, { kind: "embed-reasoning", open: "<t>", close: "</t>", whenEmpty: true }),
    ).not.toThrow();
  });
});

describe("joinAdjacentUserTurns (templates that insist on alternating roles)", () => {
  it("joins a user turn to the one before it", () => {
    expect(
      joinAdjacentUserTurns([
        { role: "user", content: "prompt" },
        { role: "user", content: "<system-reminder>\nagents\n</system-reminder>" },
        { role: "assistant", content: "ok" },
      ]),
    ).toEqual([
      { role: "user", content: "prompt\n\n<system-reminder>\nagents\n</system-reminder>" },
      { role: "assistant", content: "ok" },
    ]);
  });

  it("joins text sent beside tool results to the last tool result when the run began with a user turn", () => {
    const out = joinAdjacentUserTurns([
      { role: "user", content: "prompt" },
      { role: "assistant", content: "", tool_calls: [call] },
      { role: "tool", tool_call_id: "c1", content: "README.md" },
      { role: "user", content: "<system-reminder>\ntasks\n</system-reminder>" },
    ]);
    expect(out.at(-1)).toEqual({
      role: "tool",
      tool_call_id: "c1",
      content: "README.md\n\n<system-reminder>\ntasks\n</system-reminder>",
    });
    expect(out).toHaveLength(3);
  });

  it("keeps a user turn that follows an assistant answer", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
    ];
    expect(joinAdjacentUserTurns(messages)).toEqual(messages);
  });
});
