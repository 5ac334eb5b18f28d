import { describe, expect, it } from "vitest";
import { parseResponsesRequest } from "./parse-responses-request.js";

const base = { model: "local", input: "hi" };

describe("parseResponsesRequest", () => {
  it("takes a string input as one user message, instructions and leading developer messages as the system prompt", () => {
    expect(parseResponsesRequest(base).messages).toEqual([{ role: "user", parts: [{ type: "text", text: "hi" }] }]);
    const request = parseResponsesRequest({
      model: "local",
      instructions: "Be brief.",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "Coding agent." }] },
        { role: "user", content: "Run it." },
        { type: "message", role: "developer", content: "Later note." },
      ],
    });
    expect(request.system.map((part) => part.text)).toEqual(["Be brief.", "Coding agent."]);
    expect(request.messages.map((message) => message.role)).toEqual(["user", "system"]);
  });

  it("joins reasoning, text and calls into one assistant message and outputs into one user message, in order", () => {
    const request = parseResponsesRequest({
      model: "local",
      input: [
        { role: "user", content: "go" },
        {
          type: "reasoning",
          summary: [],
          content: [{ type: "reasoning_text", text: "think" }],
          encrypted_content: null,
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "ok", annotations: [] }] },
        { type: "function_call", call_id: "c1", name: "exec_command", arguments: '{"cmd":"ls"}' },
        { type: "function_call", call_id: "c2", name: "spawn_agent", namespace: "agents", arguments: "" },
        { type: "function_call_output", call_id: "c1", output: "a\nb" },
        { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "spawned" }] },
      ],
      tools: [
        { type: "function", name: "exec_command", parameters: { type: "object" } },
        { type: "namespace", name: "agents", tools: [{ type: "function", name: "spawn_agent" }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "go" }] },
      {
        role: "assistant",
        parts: [
          { type: "thinking", text: "think" },
          { type: "text", text: "ok" },
          { type: "tool_call", id: "c1", name: "exec_command", input: { cmd: "ls" } },
          { type: "tool_call", id: "c2", name: "spawn_agent", input: {} },
        ],
      },
      {
        role: "user",
        parts: [
          { type: "tool_result", toolCallId: "c1", content: [{ type: "text", text: "a\nb" }], isError: false },
          { type: "tool_result", toolCallId: "c2", content: [{ type: "text", text: "spawned" }], isError: false },
        ],
      },
    ]);
  });

  it("lists a namespace's tools, a custom tool as one string argument, and leaves out tools OpenAI runs", () => {
    const request = parseResponsesRequest({
      ...base,
      tools: [
        { type: "function", name: "close", description: "Close a file." },
        {
          type: "namespace",
          name: "agents",
          tools: [
            { type: "function", name: "close" },
            { type: "function", name: "wait" },
          ],
        },
        {
          type: "custom",
          name: "apply_patch",
          description: "Patch.",
          format: { type: "grammar", syntax: "lark", definition: "start: x" },
        },
        { type: "web_search", external_web_access: false },
      ],
      tool_choice: { type: "function", name: "close" },
    });
    expect(request.tools.map((tool) => tool.name)).toEqual(["close", "agents__close", "wait", "apply_patch"]);
    expect(request.tools[3]?.inputSchema).toEqual({
      type: "object",
      properties: { input: { type: "string" } },
      required: ["input"],
    });
    expect(request.tools[3]?.description).toContain("start: x");
    expect(request.toolChoice).toEqual({ type: "tool", name: "close", parallel: true });
  });

  it("maps effort, output limit, format and the client's ids", () => {
    const request = parseResponsesRequest(
      {
        ...base,
        reasoning: { effort: "high", summary: "auto" },
        max_output_tokens: 100,
        text: { format: { type: "json_schema", name: "x", schema: { type: "object" } } },
        safety_identifier: "user-1",
        stream: true,
      },
      { "Session-Id": "thread-1" },
    );
    expect(request.thinking).toEqual({ mode: "enabled" });
    expect(request.maxTokens).toBe(100);
    expect(request.responseFormat).toEqual({ type: "json_schema", schema: { type: "object" } });
    expect(request.client.userId).toBe("user-1");
    expect(request.client.headers["session-id"]).toBe("thread-1");
    expect(request.stream).toBe(true);
    expect(parseResponsesRequest({ ...base, reasoning: { effort: "none" } }).thinking.mode).toBe("disabled");
    expect(parseResponsesRequest(base).thinking.mode).toBe("disabled");
  });

  it("keeps an item type it does not know as an opaque part, and refuses what needs stored responses", () => {
    const request = parseResponsesRequest({
      model: "local",
      input: [
        { role: "user", content: "find" },
        { type: "web_search_call", id: "ws_1", status: "completed", action: { type: "search", query: "x" } },
      ],
    });
    expect(request.messages[1]?.parts[0]).toMatchObject({ type: "opaque", blockType: "web_search_call" });
    expect(() => parseResponsesRequest({ ...base, previous_response_id: "resp_1" })).toThrow(/previous_response_id/);
    expect(() => parseResponsesRequest({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] })).toThrow(
      /input\.0: item_reference/,
    );
  });

  it("names the field in a 400: a bad item, an output with no call, a malformed function tool", () => {
    const error = (body: unknown) => {
      try {
        parseResponsesRequest(body);
      } catch (thrown) {
        return thrown as { status: number; message: string };
      }
      throw new Error("no error");
    };
    expect(error({ model: "m" })).toMatchObject({ status: 400, message: expect.stringMatching(/^input:/) });
    expect(error({ model: "m", input: [{ type: "function_call", call_id: "c", name: "x" }] }).message).toMatch(
      /^input\.0\.arguments:/,
    );
    // A call cut at the output limit (`{`) stays in a session's history without refusing it.
    const cut = parseResponsesRequest({
      model: "m",
      input: [
        { role: "user", content: "go" },
        { type: "function_call", call_id: "c", name: "x", arguments: "{" },
        { type: "function_call_output", call_id: "c", output: "failed to parse arguments" },
      ],
    });
    expect(cut.messages[1]?.parts).toEqual([
      { type: "tool_call", id: "c", name: "x", input: { _unparsed_arguments: "{" } },
    ]);
    expect(error({ model: "m", input: [{ type: "function_call_output", call_id: "c9", output: "x" }] }).message).toBe(
      "input.0.call_id: c9 matches no tool call earlier in the input",
    );
    expect(error({ ...base, tools: [{ type: "function", parameters: {} }] }).message).toMatch(/^tools\.0\.name:/);
    expect(
      error({ model: "m", input: [{ role: "user", content: [{ type: "input_image", file_id: "f" }] }] }).message,
    ).toMatch(/^input\.0\.content\.0: an image by file_id/);
  });
});
