import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { toolCallBlock, toolInstructions, toolsAsText } from "./tools-as-text.js";

const BASH = {
  type: "function",
  function: {
    name: "Bash",
    description: "Runs a command.",
    parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
  },
};
const call = (id: string, command: string) => ({
  id,
  type: "function" as const,
  function: { name: "Bash", arguments: JSON.stringify({ command }) },
});

describe("toolsAsText", () => {
  it("without tools, calls or results, joins the system prompt to the first user turn as llama-server does", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ];
    expect(toolsAsText(messages, [])).toEqual([{ role: "user", content: "Be brief.\nhi" }]);
  });

  it("writes the tool list after the system prompt, calls after the turn's text, results as one user turn", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "list and count" },
      { role: "assistant", content: " Running both. ", tool_calls: [call("a", "ls"), call("b", "ls | wc -l")] },
      { role: "tool", tool_call_id: "a", content: "x.txt" },
      { role: "tool", tool_call_id: "b", content: "1" },
      { role: "user", content: "<system-reminder>note</system-reminder>" },
      { role: "assistant", content: "One file." },
    ];
    expect(toolsAsText(messages, [BASH])).toEqual([
      { role: "user", content: `Be brief.\n\n${toolInstructions([BASH])}\nlist and count` },
      {
        role: "assistant",
        content: `Running both.\n\n${toolCallBlock("Bash", '{"command":"ls"}')}\n\n${toolCallBlock("Bash", '{"command":"ls | wc -l"}')}`,
      },
      {
        role: "user",
        content: "```tool_output\nx.txt\n```\n\n```tool_output\n1\n```\n\n<system-reminder>note</system-reminder>",
      },
      { role: "assistant", content: "One file." },
    ]);
    expect(toolInstructions([BASH])).toContain(
      '{"name":"Bash","description":"Runs a command.","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}',
    );
  });

  it("opens with a user turn when the conversation does not, and keeps arguments that are not JSON as text", () => {
    const messages: ChatMessage[] = [
      {
        role: "assistant",
        content: "",
        tool_calls: [{ ...call("a", ""), function: { name: "Bash", arguments: "ls -l" } }],
      },
    ];
    expect(toolsAsText(messages, [BASH])).toEqual([
      { role: "user", content: toolInstructions([BASH]) },
      { role: "assistant", content: '```tool_call\n{"name":"Bash","arguments":"ls -l"}\n```' },
    ]);
  });

  it("keeps image parts when it joins user-side messages", () => {
    const image = { type: "image_url" as const, image_url: { url: "data:image/png;base64,AA==" } };
    const messages: ChatMessage[] = [
      { role: "user", content: [{ type: "text", text: "look" }, image] },
      { role: "user", content: "and this" },
    ];
    expect(toolsAsText(messages, [])).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "look" },
          image,
          { type: "text", text: "\n\n" },
          { type: "text", text: "and this" },
        ],
      },
    ]);
  });

  it("is the same text for the same messages, turn after turn", () => {
    const history: ChatMessage[] = [
      { role: "user", content: "go" },
      { role: "assistant", content: "", tool_calls: [call("a", "ls")] },
      { role: "tool", tool_call_id: "a", content: "x" },
    ];
    const next: ChatMessage[] = [
      ...history,
      { role: "assistant", content: "Done." },
      { role: "user", content: "more" },
    ];
    const first = JSON.stringify(toolsAsText(history, [BASH]));
    const second = JSON.stringify(toolsAsText(next, [BASH]).slice(0, 3));
    expect(second).toBe(first);
  });
});
