import { describe, expect, it } from "vitest";
import { type CollectedBlock, type CollectedMessage, MessageCollector } from "../core/collect-message.js";
import { detectLocalFailure } from "./local-failure.js";

function answer(blocks: CollectedBlock[], stop: "end_turn" | "max_tokens" | "tool_use" = "tool_use"): CollectedMessage {
  const message = new MessageCollector().message;
  return { ...message, blocks, stopReason: { unified: stop, raw: stop } };
}

const call = (inputJson: string): CollectedBlock => ({ type: "tool_call", id: "c1", name: "Read", inputJson });

describe("detectLocalFailure", () => {
  it("passes an answer whose tool calls hold objects, or no arguments at all", () => {
    expect(detectLocalFailure(answer([{ type: "text", text: "Reading." }, call('{"path":"a"}')]))).toBeUndefined();
    expect(detectLocalFailure(answer([call("")]))).toBeUndefined();
  });

  it("names an answer cut at the output limit", () => {
    expect(detectLocalFailure(answer([{ type: "text", text: "…" }], "max_tokens"))).toBe("max_tokens");
  });

  it.each(['{"path":', "[1,2]", '"a.ts"', "null"])("names a tool call whose arguments %j are no object", (json) => {
    expect(detectLocalFailure(answer([call(json)]))).toBe("bad_tool_output");
  });

  it("names tool-call markup the server left in the text", () => {
    expect(detectLocalFailure(answer([{ type: "text", text: '<tool_call>{"name":"Read"}' }], "end_turn"))).toBe(
      "bad_tool_output",
    );
  });
});
