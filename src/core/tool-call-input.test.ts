import { describe, expect, it } from "vitest";
import { toolArgumentsObject, toolCallInput } from "./tool-call-input.js";

describe("tool call arguments", () => {
  it.each([
    ['{"path":"a.ts"}', { path: "a.ts" }],
    ["{}", {}],
    ["", {}],
    ["  \n", {}],
    // Encoded twice, as some fine-tunes write them.
    ['"{\\"command\\": \\"ls\\"}"', { command: "ls" }],
  ])("%j is the object %j", (json, object) => {
    expect(toolArgumentsObject(json)).toEqual(object);
    expect(toolCallInput(json)).toEqual(object);
  });

  it.each(['{"path":', "{", "[1,2]", '"a.ts"', '"{not json"', "null", "42", "true"])(
    "%j holds no object, and the input keeps its text",
    (json) => {
      expect(toolArgumentsObject(json)).toBeUndefined();
      expect(toolCallInput(json)).toEqual({ _unparsed_arguments: json });
    },
  );
});
