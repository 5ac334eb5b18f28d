import { describe, expect, it } from "vitest";
import { readsToolCalls, refusesToolCalls } from "./tool-parser.js";

const vllm = (message: string) =>
  JSON.stringify({ error: { message, type: "BadRequestError", param: null, code: 400 } });

describe("refusesToolCalls", () => {
  it("reads vLLM's refusals of tools for want of a tool parser, in the current and the pre-0.9 body", () => {
    const auto = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set';
    expect(refusesToolCalls(vllm(auto))).toBe(true);
    expect(refusesToolCalls(vllm('tool_choice="required" requires --tool-call-parser to be set'))).toBe(true);
    expect(refusesToolCalls(vllm('tool_choice=function "Bash" requires --tool-call-parser to be set'))).toBe(true);
    expect(
      refusesToolCalls(
        JSON.stringify({ object: "error", message: auto, type: "BadRequestError", param: null, code: 400 }),
      ),
    ).toBe(true);
  });

  it("leaves every other 400 alone", () => {
    const overflow =
      "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens in the messages, Please reduce the length of the messages.";
    expect(refusesToolCalls(vllm(overflow))).toBe(false);
    expect(refusesToolCalls(vllm("`tools` must not be an empty array."))).toBe(false);
    expect(refusesToolCalls("requires --tool-call-parser to be set")).toBe(false);
    expect(refusesToolCalls("null")).toBe(false);
  });
});

describe("readsToolCalls", () => {
  it("reads SGLang's tool_call_parser from its server arguments, and nothing from an answer without it", () => {
    expect(readsToolCalls({ model_path: "m", tool_call_parser: null })).toBe(false);
    expect(readsToolCalls({ model_path: "m", tool_call_parser: "qwen25" })).toBe(true);
    expect(readsToolCalls({ model_path: "m" })).toBeUndefined();
    expect(readsToolCalls(null)).toBeUndefined();
  });
});
