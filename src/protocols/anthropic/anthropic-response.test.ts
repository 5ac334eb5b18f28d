import { describe, expect, it } from "vitest";
import { MessageCollector } from "../../core/collect-message.js";
import { anthropicMessageBody } from "./anthropic-response.js";

function body(inputJson: string) {
  const message = new MessageCollector().message;
  return anthropicMessageBody({
    ...message,
    id: "msg_1",
    model: "local",
    blocks: [{ type: "tool_call", id: "toolu_1", name: "Read", inputJson }],
    stopReason: { unified: "tool_use", raw: "tool_calls" },
  });
}

describe("anthropicMessageBody", () => {
  it("gives a tool call's arguments as its input object", () => {
    expect(body('{"file_path":"a.ts"}').content).toEqual([
      { type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "a.ts" } },
    ]);
    expect(body("").content[0]).toMatchObject({ input: {} });
  });

  // tool_use.input is an object in Anthropic's API; a client that validates the answer or keeps it in its
  // history must never get an array or a string there.
  it.each(["[1,2]", '"a.ts"', "null", '{"file_path":'])("keeps arguments %j that are no object as text", (json) => {
    expect(body(json).content[0]).toMatchObject({ input: { _unparsed_arguments: json } });
  });
});
