import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../../core/errors.js";
import { parseOpenAIChatRequest } from "./parse-openai-request.js";

/**
 * Wire examples: OpenAI's API reference, "Create chat completion" request examples
 * (https://platform.openai.com/docs/api-reference/chat/create: Default, Image input, Functions) and the
 * recorded assistant answer in fixtures/ (a real OpenAI response with two tool calls, sent back as history).
 */
const RECORDED_ANSWER = (
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/openai-two-tool-calls-completion.json"), "utf8")) as {
    choices: Array<{ message: Record<string, unknown> }>;
  }
).choices[0]?.message;

const IMAGE_URL =
  "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg";

const parse = (messages: unknown[]) => parseOpenAIChatRequest({ model: "gpt-4.1", messages });

function rejects(messages: unknown[]): string {
  try {
    parse(messages);
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).status).toBe(400);
    return (error as SwitchyardError).message;
  }
  throw new Error("expected a 400");
}

const weatherQuestion = { role: "user", content: "What's the weather like in Edinburgh?" };
const toolResult = (id: string, content: unknown) => ({ role: "tool", tool_call_id: id, content });

describe("system and developer messages", () => {
  it("puts the leading run into system and keeps later ones where they stand", () => {
    const request = parse([
      { role: "developer", content: "You are a helpful assistant." },
      { role: "system", content: [{ type: "text", text: "Be brief." }] },
      { role: "user", content: "Hello!" },
      { role: "system", content: "The user is on a phone." },
      { role: "user", content: "Again." },
    ]);
    expect(request.system).toEqual([
      { type: "text", text: "You are a helpful assistant." },
      { type: "text", text: "Be brief." },
    ]);
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "Hello!" }] },
      { role: "system", parts: [{ type: "text", text: "The user is on a phone." }] },
      { role: "user", parts: [{ type: "text", text: "Again." }] },
    ]);
  });
});

describe("user messages", () => {
  it("converts the documented image input example", () => {
    const request = parse([
      {
        role: "user",
        content: [
          { type: "text", text: "What's in this image?" },
          { type: "image_url", image_url: { url: IMAGE_URL } },
        ],
      },
    ]);
    expect(request.messages[0]?.parts).toEqual([
      { type: "text", text: "What's in this image?" },
      { type: "image", source: { kind: "url", url: IMAGE_URL } },
    ]);
  });

  it("turns a base64 data URL into a base64 image", () => {
    const request = parse([
      {
        role: "user",
        content: [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ", detail: "low" } }],
      },
    ]);
    expect(request.messages[0]?.parts).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQ" } },
    ]);
  });

  it("rejects images it cannot pass on, naming the field", () => {
    const image = (url: string) => [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }];
    expect(rejects(image("data:image/svg+xml,<svg/>"))).toMatch(/^messages\.0\.content\.0\.image_url\.url: .*base64/);
    expect(rejects(image("file:///etc/passwd"))).toMatch(/^messages\.0\.content\.0\.image_url\.url: /);
  });

  it("rejects content parts it does not know, naming the part", () => {
    const audio = [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }];
    expect(rejects(audio)).toMatch(/^messages\.0\.content\.0\.type: /);
  });
});

describe("assistant messages", () => {
  it("converts a recorded OpenAI tool-call answer sent back as history", () => {
    const request = parse([weatherQuestion, RECORDED_ANSWER]);
    expect(request.messages[1]).toEqual({
      role: "assistant",
      parts: [
        {
          type: "tool_call",
          id: "call_fdNz3vOBKYgOIpMdWotB9MjY",
          name: "GetWeatherArgs",
          input: { city: "Edinburgh", country: "GB", units: "c" },
        },
        {
          type: "tool_call",
          id: "call_h1DWI1POMJLb0KwIyQHWXD4p",
          name: "get_stock_price",
          input: { ticker: "AAPL", exchange: "NASDAQ" },
        },
      ],
    });
  });

  it("puts reasoning_content (or reasoning) before the text", () => {
    for (const field of ["reasoning_content", "reasoning"]) {
      const request = parse([weatherQuestion, { role: "assistant", content: "Sunny.", [field]: "Look it up." }]);
      expect(request.messages[1]?.parts).toEqual([
        { type: "thinking", text: "Look it up." },
        { type: "text", text: "Sunny." },
      ]);
    }
  });

  it("accepts text parts, empty content and calls without arguments", () => {
    const request = parse([
      weatherQuestion,
      { role: "assistant", content: [{ type: "text", text: "Checking." }] },
      { role: "user", content: "Go on." },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "call_1", type: "function", function: { name: "now", arguments: "" } }],
      },
    ]);
    expect(request.messages[1]?.parts).toEqual([{ type: "text", text: "Checking." }]);
    expect(request.messages[3]?.parts).toEqual([{ type: "tool_call", id: "call_1", name: "now", input: {} }]);
  });

  it("keeps tool call arguments that are not a JSON object (a call cut at the output limit) as their text", () => {
    const call = (args: string) => [
      weatherQuestion,
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: args } }],
      },
    ];
    for (const args of ['{"city": "Edinb', "{", "[1, 2]", "null"])
      expect(parse(call(args)).messages[1]?.parts).toEqual([
        { type: "tool_call", id: "c", name: "f", input: { _unparsed_arguments: args } },
      ]);
  });
});

describe("tool messages", () => {
  it("merges consecutive tool messages into one user message of tool results", () => {
    const request = parse([
      weatherQuestion,
      RECORDED_ANSWER,
      toolResult("call_fdNz3vOBKYgOIpMdWotB9MjY", "12°C, cloudy"),
      toolResult("call_h1DWI1POMJLb0KwIyQHWXD4p", [{ type: "text", text: "AAPL 227.1" }]),
      { role: "user", content: "Thanks." },
    ]);
    expect(request.messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "user"]);
    expect(request.messages[2]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "call_fdNz3vOBKYgOIpMdWotB9MjY",
        content: [{ type: "text", text: "12°C, cloudy" }],
        isError: false,
      },
      {
        type: "tool_result",
        toolCallId: "call_h1DWI1POMJLb0KwIyQHWXD4p",
        content: [{ type: "text", text: "AAPL 227.1" }],
        isError: false,
      },
    ]);
  });

  it("rejects a tool message that answers no earlier tool call", () => {
    expect(rejects([weatherQuestion, toolResult("call_unknown", "x")])).toMatch(
      /^messages\.1\.tool_call_id: call_unknown/,
    );
  });

  it("rejects a tool message without tool_call_id", () => {
    expect(rejects([weatherQuestion, RECORDED_ANSWER, { role: "tool", content: "x" }])).toMatch(
      /^messages\.2\.tool_call_id: /,
    );
  });
});

describe("message validation", () => {
  it("names the role of a message it does not know", () => {
    expect(rejects([{ role: "function", name: "f", content: "x" }])).toMatch(/^messages\.0\.role: /);
  });

  it("names the content of a message with the wrong content type", () => {
    expect(rejects([{ role: "user", content: 42 }])).toMatch(/^messages\.0\.content: /);
  });
});
