import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalRequest } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import { deepFreeze } from "../../util/remember-frozen.js";
import { parseAnthropicCountTokensRequest, parseAnthropicRequest } from "./parse-anthropic-request.js";

/** Real Claude Code 2.1.197 traffic (see test/fixtures/claude-code/README.md). */
const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/claude-code/claude-code-2.1.197");

interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const loadFixture = (name: string): RecordedRequest =>
  JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as RecordedRequest;

const postFixtures = (): string[] =>
  readdirSync(FIXTURES)
    .flatMap((session) => readdirSync(join(FIXTURES, session)).map((file) => `${session}/${file}`))
    .filter((name) => name.endsWith(".json") && loadFixture(name).method === "POST")
    .sort();

const base = () => ({
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  messages: [{ role: "user", content: "hi" }] as unknown[],
});

/** Runs `fn`, expects it to throw a SwitchyardError, returns it. */
function thrown(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return error as SwitchyardError;
  }
  throw new Error("expected an error");
}

function rejects(body: unknown): SwitchyardError {
  const error = thrown(() => parseAnthropicRequest(body));
  expect(error.kind).toBe("invalid_request");
  expect(error.status).toBe(400);
  expect(error.retryable).toBe(false);
  return error;
}

const toolUse = (id: string, name = "Bash", input: Record<string, unknown> = { command: "ls" }) => ({
  role: "assistant",
  content: [{ type: "tool_use", id, name, input }],
});

describe("parseAnthropicRequest on recorded Claude Code requests", () => {
  const names = postFixtures();

  it("found the recorded sessions", () => {
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  it.each(names)("%s parses without error", (name) => {
    const recorded = loadFixture(name);
    const request = parseAnthropicRequest(recorded.body, recorded.headers);
    const body = recorded.body as { model: string; messages: unknown[]; max_tokens: number };
    expect(request.model).toBe(body.model);
    expect(request.messages).toHaveLength(body.messages.length);
    expect(request.maxTokens).toBe(body.max_tokens);
    expect(request.client.protocol).toBe("anthropic");
    expect(request.client.body).toBe(recorded.body);
  });

  it("keeps the mid-conversation system message where it stands and the session identity", () => {
    const recorded = loadFixture("basic-session/006.json");
    const request = parseAnthropicRequest(recorded.body, recorded.headers);
    expect(request.messages.map((message) => message.role)).toEqual([
      "user",
      "system",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(request.messages[1]?.parts).toEqual([
      { type: "text", text: expect.stringMatching(/^Available agent types for the Agent tool:/) },
    ]);
    // System blocks: the billing header first, the text of every block kept, cache_control dropped.
    expect(request.system[0]).toEqual({
      type: "text",
      text: expect.stringMatching(/^x-anthropic-billing-header: cc_version=2\.1\.197\./),
    });
    expect(request.system.every((part) => Object.keys(part).sort().join() === "text,type")).toBe(true);
    expect(request.thinking).toEqual({ mode: "adaptive", budgetTokens: undefined });
    expect(request.effort).toBe("high");
    expect(request.stream).toBe(true);
    expect(request.tools).toHaveLength(25);
    expect(request.tools.map((tool) => tool.name)).toContain("Bash");
    // The failing Edit comes back with is_error: true.
    expect(request.messages[7]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "toolu_0005",
        content: [{ type: "text", text: expect.stringContaining("String to replace not found") }],
        isError: true,
      },
    ]);
    expect(request.messages[3]?.parts).toEqual([
      { type: "tool_result", toolCallId: "toolu_0003", content: [expect.any(Object)], isError: false },
    ]);
    expect(request.messages[2]?.parts[1]).toEqual({
      type: "tool_call",
      id: "toolu_0003",
      name: "Bash",
      input: { command: "ls -la", description: "List files" },
    });
    // metadata.user_id is a JSON string holding the session id; kept verbatim.
    expect(request.client.userId).toContain('"session_id":"1c23279c-f048-4e03-8ee0-50e7b5d3a81a"');
    expect(request.client.headers["x-claude-code-session-id"]).toBe("1c23279c-f048-4e03-8ee0-50e7b5d3a81a");
  });

  it("maps the title request's json_schema output format to responseFormat (thinking absent → disabled)", () => {
    const recorded = loadFixture("basic-session/002.json");
    const request = parseAnthropicRequest(recorded.body, recorded.headers);
    expect(request.responseFormat).toEqual({
      type: "json_schema",
      schema: {
        type: "object",
        properties: { title: { type: "string" } },
        required: ["title"],
        additionalProperties: false,
      },
    });
    expect(request.thinking.mode).toBe("disabled");
    expect(request.tools).toEqual([]);
  });

  it("a user turn sent as blocks one turn and as a string the next means the same", () => {
    // agent-session/012.json holds a user turn as a plain string that 011.json sent as a block list.
    const before = parseAnthropicRequest(loadFixture("agent-session/011.json").body);
    const after = parseAnthropicRequest(loadFixture("agent-session/012.json").body);
    expect(after.messages[11]?.parts).toEqual(before.messages[11]?.parts);
  });
});

describe("parseAnthropicRequest: system", () => {
  it("takes system as a string", () => {
    const request = parseAnthropicRequest({ ...base(), system: "be brief" });
    expect(request.system).toEqual([{ type: "text", text: "be brief" }]);
  });

  it("takes system as text blocks, dropping cache_control", () => {
    const request = parseAnthropicRequest({
      ...base(),
      system: [
        { type: "text", text: "one" },
        { type: "text", text: "two", cache_control: { type: "ephemeral" } },
      ],
    });
    expect(request.system).toEqual([
      { type: "text", text: "one" },
      { type: "text", text: "two" },
    ]);
  });

  it("has no system when none is sent", () => {
    expect(parseAnthropicRequest(base()).system).toEqual([]);
  });
});

describe("parseAnthropicRequest: content", () => {
  it("gives the same canonical parts for a string and for a one-text-block list", () => {
    const asString = parseAnthropicRequest({ ...base(), messages: [{ role: "user", content: "hello there" }] });
    const asBlocks = parseAnthropicRequest({
      ...base(),
      messages: [
        { role: "user", content: [{ type: "text", text: "hello there", cache_control: { type: "ephemeral" } }] },
      ],
    });
    expect(asString.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "hello there" }] }]);
    expect(asBlocks.messages).toEqual(asString.messages);
  });

  it("converts images, thinking and redacted thinking", () => {
    const request = parseAnthropicRequest({
      ...base(),
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } },
            { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "redacted_thinking", data: "opaque" },
            { type: "text", text: "done" },
          ],
        },
      ],
    });
    expect(request.messages[0]?.parts).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" } },
      { type: "image", source: { kind: "url", url: "https://example.com/a.png" } },
    ]);
    expect(request.messages[1]?.parts).toEqual([
      { type: "thinking", text: "hmm", signature: "sig" },
      { type: "redacted_thinking", data: "opaque" },
      { type: "text", text: "done" },
    ]);
  });

  it("keeps document blocks and every block type it does not know whole, as the client sent them", () => {
    const blocks = [
      { type: "document", source: { type: "text", media_type: "text/plain", data: "file body" }, title: "a.txt" },
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } },
      { type: "search_result", source: "https://example.com", title: "T", content: [{ type: "text", text: "x" }] },
      { type: "hologram", data: "x", cache_control: { type: "ephemeral" } },
    ];
    const request = parseAnthropicRequest({ ...base(), messages: [{ role: "user", content: blocks }] });
    expect(request.messages[0]?.parts).toEqual(
      blocks.map((block) => ({ type: "opaque", blockType: block.type, raw: block })),
    );
  });
});

describe("parseAnthropicRequest: thinking and output format", () => {
  it.each([
    [{ type: "adaptive" }, { mode: "adaptive", budgetTokens: undefined }],
    [
      { type: "enabled", budget_tokens: 2048 },
      { mode: "enabled", budgetTokens: 2048 },
    ],
    [{ type: "disabled" }, { mode: "disabled", budgetTokens: undefined }],
    [undefined, { mode: "disabled", budgetTokens: undefined }],
  ])("thinking %j → %j", (thinking, expected) => {
    expect(parseAnthropicRequest({ ...base(), thinking }).thinking).toEqual(expected);
  });

  it("rejects an unknown thinking type naming the field", () => {
    expect(rejects({ ...base(), thinking: { type: "sometimes" } }).message).toMatch(/^thinking\.type: /);
  });

  it("maps output_config.format json_schema to responseFormat and keeps effort", () => {
    const schema = { type: "object", properties: { n: { type: "number" } } };
    const request = parseAnthropicRequest({
      ...base(),
      output_config: { effort: "low", format: { type: "json_schema", schema } },
    });
    expect(request.responseFormat).toEqual({ type: "json_schema", schema });
    expect(request.effort).toBe("low");
  });

  it("has no responseFormat without output_config", () => {
    const request = parseAnthropicRequest(base());
    expect(request.responseFormat).toBeUndefined();
    expect(request.effort).toBeUndefined();
  });

  it.each(["text", "json_object", "regex"])("rejects output_config.format.type %s", (type) => {
    const error = rejects({ ...base(), output_config: { format: { type } } });
    expect(error.message).toContain("output_config.format.type");
    expect(error.message).toContain(type);
  });
});

describe("parseAnthropicRequest: tools", () => {
  const schema = { type: "object", properties: { q: { type: "string" } } };

  it("keeps client tools and drops server tools (a type and no input_schema)", () => {
    const request = parseAnthropicRequest({
      ...base(),
      tools: [
        { name: "search_docs", description: "Search", input_schema: schema },
        { type: "web_search_20250305", name: "web_search", max_uses: 5 },
        { type: "code_execution_20250522", name: "code_execution" },
        { type: "custom", name: "no_description", input_schema: schema },
      ],
    });
    expect(request.tools).toEqual([
      { name: "search_docs", description: "Search", inputSchema: schema },
      { name: "no_description", description: "", inputSchema: schema },
    ]);
  });

  it.each([
    [undefined, undefined],
    [{ type: "auto" }, { type: "auto", parallel: true }],
    [
      { type: "auto", disable_parallel_tool_use: true },
      { type: "auto", parallel: false },
    ],
    [{ type: "any" }, { type: "any", parallel: true }],
    [
      { type: "any", disable_parallel_tool_use: true },
      { type: "any", parallel: false },
    ],
    [{ type: "none" }, { type: "none" }],
    [
      { type: "tool", name: "search_docs" },
      { type: "tool", name: "search_docs", parallel: true },
    ],
    [
      { type: "tool", name: "search_docs", disable_parallel_tool_use: true },
      { type: "tool", name: "search_docs", parallel: false },
    ],
  ])("tool_choice %j → %j", (choice, expected) => {
    const request = parseAnthropicRequest({
      ...base(),
      tools: [{ name: "search_docs", input_schema: schema }],
      tool_choice: choice,
    });
    expect(request.toolChoice).toEqual(expected);
  });

  it("names the tool and field of a bad tool definition, and rejects tools that are not a list", () => {
    expect(rejects({ ...base(), tools: [{ name: "ok", input_schema: schema }, { name: "" }] }).message).toMatch(
      /^tools\.1\.name: /,
    );
    expect(rejects({ ...base(), tools: { name: "x" } }).message).toMatch(/^tools: /);
  });

  it("converts a frozen tool list once (the same list while its bytes repeat), a fresh one every time", () => {
    const tools = deepFreeze([{ name: "search_docs", input_schema: schema }]);
    const first = parseAnthropicRequest({ ...base(), tools });
    const again = parseAnthropicRequest({ ...base(), tools });
    expect(again.tools).toBe(first.tools);
    expect(Object.isFrozen(first.tools[0])).toBe(true);
    const fresh = [{ name: "search_docs", input_schema: schema }];
    expect(parseAnthropicRequest({ ...base(), tools: fresh }).tools).not.toBe(
      parseAnthropicRequest({ ...base(), tools: fresh }).tools,
    );
  });

  it("rejects tool_choice tool without a name", () => {
    expect(rejects({ ...base(), tool_choice: { type: "tool" } }).message).toMatch(/^tool_choice\.name: /);
  });
});

describe("parseAnthropicRequest: tool results", () => {
  it("takes string content", () => {
    const request = parseAnthropicRequest({
      ...base(),
      messages: [
        { role: "user", content: "list files" },
        toolUse("toolu_1"),
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "a\nb" }] },
      ],
    });
    expect(request.messages[2]?.parts).toEqual([
      { type: "tool_result", toolCallId: "toolu_1", content: [{ type: "text", text: "a\nb" }], isError: false },
    ]);
  });

  it("takes block content (text, image, a document kept whole) and is_error", () => {
    const request = parseAnthropicRequest({
      ...base(),
      messages: [
        { role: "user", content: "look" },
        toolUse("toolu_1", "Read", { file_path: "/x.png" }),
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              is_error: true,
              content: [
                { type: "text", text: "partial" },
                { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } },
                { type: "document", source: { type: "text", data: "doc text" } },
              ],
            },
            { type: "text", text: "what went wrong?" },
          ],
        },
      ],
    });
    expect(request.messages[2]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "toolu_1",
        content: [
          { type: "text", text: "partial" },
          { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/" } },
          {
            type: "opaque",
            blockType: "document",
            raw: { type: "document", source: { type: "text", data: "doc text" } },
          },
        ],
        isError: true,
      },
      { type: "text", text: "what went wrong?" },
    ]);
  });

  it("takes a tool_result without content as empty", () => {
    const request = parseAnthropicRequest({
      ...base(),
      messages: [
        { role: "user", content: "go" },
        toolUse("toolu_1"),
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1" }] },
      ],
    });
    expect(request.messages[2]?.parts).toEqual([
      { type: "tool_result", toolCallId: "toolu_1", content: [], isError: false },
    ]);
  });

  it("rejects a tool_result with no earlier tool_use, naming the id", () => {
    const error = rejects({
      ...base(),
      messages: [
        { role: "user", content: "go" },
        toolUse("toolu_known"),
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_missing", content: "x" }] },
      ],
    });
    expect(error.message).toContain("toolu_missing");
    expect(error.message).toMatch(/^messages\.2: /);
  });

  it("rejects a tool_result whose tool_use only comes later", () => {
    const error = rejects({
      ...base(),
      messages: [
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_late", content: "x" }] },
        toolUse("toolu_late"),
      ],
    });
    expect(error.message).toContain("toolu_late");
  });

  it("rejects tool_use in a user message and tool_result in an assistant message", () => {
    expect(
      rejects({
        ...base(),
        messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }],
      }).message,
    ).toMatch(/^messages\.0: tool_use blocks belong to assistant messages/);
    expect(
      rejects({
        ...base(),
        messages: [
          { role: "user", content: "go" },
          toolUse("t"),
          { role: "assistant", content: [{ type: "tool_result", tool_use_id: "t", content: "x" }] },
        ],
      }).message,
    ).toMatch(/^messages\.2: tool_result blocks belong to user messages/);
  });
});

describe("parseAnthropicRequest: invalid bodies name the field", () => {
  it("names the block and its field for a known block type with the wrong fields", () => {
    const error = rejects({
      ...base(),
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "text", body: "x" },
          ],
        },
      ],
    });
    expect(error.message).toMatch(/^messages\.0\.content\.1\.text: /);
  });

  it("names the block for a block without a type", () => {
    const error = rejects({ ...base(), messages: [{ role: "user", content: [{ text: "a" }] }] });
    expect(error.message).toMatch(/^messages\.0\.content\.0/);
  });

  it("rejects empty messages", () => {
    expect(rejects({ ...base(), messages: [] }).message).toMatch(/^messages: .*at least one message is required/);
  });

  it.each([
    ["a string", "1024"],
    ["a fraction", 10.5],
    ["zero", 0],
    ["null", null],
  ])("rejects max_tokens as %s", (_label, maxTokens) => {
    expect(rejects({ ...base(), max_tokens: maxTokens }).message).toMatch(/^max_tokens: /);
  });

  it("rejects a missing max_tokens but count_tokens does not need it", () => {
    const { max_tokens: _omit, ...body } = base();
    expect(rejects(body).message).toMatch(/^max_tokens: /);
    expect(parseAnthropicCountTokensRequest(body).maxTokens).toBe(1);
  });

  it("names nested paths: a bad role, a bad temperature, bad stop sequences", () => {
    expect(rejects({ ...base(), messages: [{ role: "robot", content: "x" }] }).message).toMatch(/^messages\.0\.role: /);
    expect(rejects({ ...base(), temperature: 3 }).message).toMatch(/^temperature: /);
    expect(rejects({ ...base(), stop_sequences: "END" }).message).toMatch(/^stop_sequences: /);
  });

  it.each([null, "text", 42, []])("rejects a body that is not an object (%j)", (body) => {
    expect(rejects(body).message).toMatch(/^body: /);
  });
});

describe("parseAnthropicRequest: client identity and sampling", () => {
  it("keeps metadata.user_id in client.userId", () => {
    const request = parseAnthropicRequest({ ...base(), metadata: { user_id: "user-123" } });
    expect(request.client.userId).toBe("user-123");
    expect(parseAnthropicRequest({ ...base(), metadata: { user_id: null } }).client.userId).toBeUndefined();
    expect(parseAnthropicRequest(base()).client.userId).toBeUndefined();
  });

  it("lower-cases header names and joins repeated headers", () => {
    const request = parseAnthropicRequest(base(), {
      "X-Claude-Code-Session-Id": "abc",
      "Anthropic-Beta": ["a-1", "b-2"],
      "content-type": "application/json",
      "X-Empty": undefined,
    });
    expect(request.client.headers).toEqual({
      "x-claude-code-session-id": "abc",
      "anthropic-beta": "a-1,b-2",
      "content-type": "application/json",
      "x-empty": undefined,
    });
  });

  it("copies sampling fields, stop sequences and stream", () => {
    const request: CanonicalRequest = parseAnthropicRequest({
      ...base(),
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["END"],
      stream: true,
    });
    expect(request).toMatchObject({
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ["END"],
      stream: true,
    });
    const plain = parseAnthropicRequest(base());
    expect(plain).toMatchObject({ stopSequences: [], stream: false, toolChoice: undefined, tools: [] });
    expect(plain.temperature).toBeUndefined();
  });

  it("accepts and ignores fields it does not know", () => {
    const request = parseAnthropicRequest({ ...base(), context_management: { edits: [] }, brand_new_field: 1 });
    expect(request.messages).toHaveLength(1);
  });
});
