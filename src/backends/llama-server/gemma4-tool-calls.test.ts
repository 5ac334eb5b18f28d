import { describe, expect, it } from "vitest";
import { parseGemma4ToolCall } from "./gemma4-tool-calls.js";

const Q = '<|"|>';

describe("parseGemma4ToolCall", () => {
  it('reads a call as google-gemma-4-31B-it.jinja writes one: bare keys, strings between <|"|>', () => {
    expect(parseGemma4ToolCall(`call:Bash{command:${Q}ls -la {a,b}: "x"${Q}}`)).toEqual([
      { name: "Bash", input: { command: 'ls -la {a,b}: "x"' } },
    ]);
  });

  it("reads nested objects, arrays, numbers, booleans and null (llama.cpp's gemma4-value grammar)", () => {
    const block = `call:Edit{edits:[{line:12,text:${Q}a${Q}},{line:-1.5e2,text:${Q}${Q}}],dry:false,force:true,note:null,opts:{ depth: 2, tags:[ ] }}`;
    expect(parseGemma4ToolCall(block)).toEqual([
      {
        name: "Edit",
        input: {
          edits: [
            { line: 12, text: "a" },
            { line: -150, text: "" },
          ],
          dry: false,
          force: true,
          note: null,
          opts: { depth: 2, tags: [] },
        },
      },
    ]);
    expect(parseGemma4ToolCall("call:List{}")).toEqual([{ name: "List", input: {} }]);
  });

  it("is undefined for anything else: cut off, stray text, a value outside the syntax, no call header", () => {
    for (const block of [
      `call:Bash{command:${Q}echo`,
      `call:Bash{command:${Q}ls${Q}} and more`,
      "call:Bash{command:ls}",
      `call:Bash{command:${Q}ls${Q},}`,
      `Bash{command:${Q}ls${Q}}`,
      "call:Bash",
    ]) {
      expect(parseGemma4ToolCall(block), block).toBeUndefined();
    }
  });
});
