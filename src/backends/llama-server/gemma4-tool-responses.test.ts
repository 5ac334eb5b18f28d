import { describe, expect, it } from "vitest";
import { gemma4ToolResponses } from "./gemma4-tool-responses.js";

const call = (id: string, name: string) => ({ id, type: "function", function: { name, arguments: {} } });

describe("gemma4ToolResponses (llama.cpp's convert_tool_responses_gemma4)", () => {
  it("folds a call, its results and the text answer after them into one message, results parsed where JSON", () => {
    const messages = [
      { role: "user", content: "Go." },
      {
        role: "assistant",
        content: "Looking.",
        reasoning_content: "r",
        tool_calls: [call("a", "Bash"), call("b", "Read")],
      },
      { role: "tool", tool_call_id: "a", content: '{"ok": true}' },
      { role: "tool", tool_call_id: "b", content: "text" },
      { role: "assistant", content: "Done." },
      { role: "user", content: "Thanks." },
    ];
    expect(gemma4ToolResponses(messages)).toEqual([
      messages[0],
      {
        role: "assistant",
        tool_calls: [call("a", "Bash"), call("b", "Read")],
        tool_responses: [
          { name: "Bash", response: { ok: true } },
          { name: "Read", response: "text" },
        ],
        content: "Done.",
        reasoning_content: "r",
      },
      messages[5],
    ]);
  });

  it("leaves a following call apart, and names a result beyond the calls by its call id", () => {
    const messages = [
      { role: "assistant", content: "", tool_calls: [call("a", "Bash")] },
      { role: "tool", tool_call_id: "a", content: "1" },
      { role: "tool", tool_call_id: "z", content: "2" },
      { role: "assistant", content: "", tool_calls: [call("c", "Bash")] },
    ];
    const out = gemma4ToolResponses(messages);
    expect(out).toHaveLength(2);
    expect(out[0]?.tool_responses).toEqual([
      { name: "Bash", response: 1 },
      { name: "z", response: 2 },
    ]);
    expect(out[0]).not.toHaveProperty("content");
  });
});
