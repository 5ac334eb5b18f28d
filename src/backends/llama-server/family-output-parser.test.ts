import { describe, expect, it } from "vitest";
import { familyById } from "../../families/model-families.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { FamilyOutputParser, type OutputPiece } from "./family-output-parser.js";

const SYNTAX = familyById("deepseek-v3.2")?.render?.output as OutputSyntax;
/** A DeepSeek V3.2 tool-call block as its template writes one (deepseek-ai-DeepSeek-V3.2.jinja). */
const CALL =
  '<｜DSML｜function_calls>\n<｜DSML｜invoke name="Read">\n<｜DSML｜parameter name="file_path" string="true">/a b.txt</｜DSML｜parameter>\n<｜DSML｜parameter name="limit" string="false">20</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>';

/** Everything the parser gives for `output` fed one character at a time, runs of one kind joined. */
function parse(output: string, prompt: string): OutputPiece[] {
  const parser = new FamilyOutputParser(SYNTAX, prompt);
  const pieces = [...[...output].flatMap((character) => parser.push(character)), ...parser.finish()];
  const joined: OutputPiece[] = [];
  for (const piece of pieces) {
    const last = joined.at(-1);
    if (last && last.kind === piece.kind && "text" in last && "text" in piece) last.text += piece.text;
    else joined.push({ ...piece });
  }
  return joined;
}

describe("FamilyOutputParser (DeepSeek V3.2 syntax)", () => {
  it("starts in reasoning only when the prompt opened a reasoning block", () => {
    expect(parse("Think.</think>Hi.", "<｜Assistant｜><think>")).toEqual([
      { kind: "thinking", text: "Think." },
      { kind: "text", text: "Hi." },
    ]);
    expect(parse("Hi </think>.", "<｜Assistant｜><think></think>")).toEqual([{ kind: "text", text: "Hi </think>." }]);
  });

  it("takes a tool-call block apart, dropping the blank line the template writes before it", () => {
    expect(parse(`I will read it.\n\n${CALL}`, "<think></think>")).toEqual([
      { kind: "text", text: "I will read it." },
      { kind: "tool_calls", calls: [{ name: "Read", input: { file_path: "/a b.txt", limit: 20 } }] },
    ]);
  });

  it("keeps whitespace inside text, and a partial marker that never completes", () => {
    expect(parse("a  b\n\n<｜DS", "")).toEqual([{ kind: "text", text: "a  b\n\n<｜DS" }]);
  });

  it("passes a block it cannot read on as text: cut off, stray text, a non-JSON value", () => {
    const cut = CALL.slice(0, 80);
    expect(parse(cut, "")).toEqual([{ kind: "unparsed", text: cut }]);
    const stray = CALL.replace("</｜DSML｜invoke>", "oops</｜DSML｜invoke>");
    expect(parse(stray, "")).toEqual([{ kind: "unparsed", text: stray }]);
    const notJson = CALL.replace(">20<", ">twenty<");
    expect(parse(notJson, "")).toEqual([{ kind: "unparsed", text: notJson }]);
  });
});

describe("FamilyOutputParser (Mistral Small 3.2 syntax: calls run to the end of the output)", () => {
  const MISTRAL = familyById("mistral-small-3.2")?.render?.output as OutputSyntax;
  const read = (output: string) => {
    const parser = new FamilyOutputParser(MISTRAL, "[/INST]");
    return [...[...output].flatMap((character) => parser.push(character)), ...parser.finish()];
  };

  it("reads calls as the template writes them (with or without a call id), text before them apart", () => {
    const pieces = read(
      'Looking.[TOOL_CALLS]Bash[CALL_ID]a1b2c3d4e[ARGS]{"command": "ls"}[TOOL_CALLS]Read[ARGS]{"file_path": "/x"}',
    );
    expect(
      pieces
        .filter((piece) => piece.kind === "text")
        .map((piece) => piece.kind === "text" && piece.text)
        .join(""),
    ).toBe("Looking.");
    expect(pieces.at(-1)).toEqual({
      kind: "tool_calls",
      calls: [
        { name: "Bash", input: { command: "ls" } },
        { name: "Read", input: { file_path: "/x" } },
      ],
    });
  });

  it("passes a call cut off in its arguments, or an opener with nothing after it, on as text", () => {
    expect(read('[TOOL_CALLS]Bash[ARGS]{"command": "l')).toEqual([
      { kind: "unparsed", text: '[TOOL_CALLS]Bash[ARGS]{"command": "l' },
    ]);
    expect(read("[TOOL_CALLS]")).toEqual([{ kind: "unparsed", text: "[TOOL_CALLS]" }]);
  });
});

describe("FamilyOutputParser (Gemma 4 syntax: the model opens its thought channel itself)", () => {
  const GEMMA = familyById("gemma-4")?.render?.output as OutputSyntax;
  const Q = '<|"|>';
  const read = (output: string, prompt = "<|turn>model\n") => {
    const parser = new FamilyOutputParser(GEMMA, prompt);
    const pieces = [...[...output].flatMap((character) => parser.push(character)), ...parser.finish()];
    return { pieces, unparsed: parser.unparsed };
  };

  it("reads a thought, text and a call (the turn's <|tool_response> end dropped), one character at a time", () => {
    const { pieces } = read(
      `<|channel>thought\nCheck the files.<channel|>Looking.<|tool_call>call:Bash{command:${Q}ls${Q}}<tool_call|><|tool_response>`,
    );
    expect(pieces.filter((piece) => piece.kind === "thinking").map((piece) => "text" in piece && piece.text)).toEqual([
      ..."Check the files.",
    ]);
    expect(
      pieces
        .filter((piece) => piece.kind === "text")
        .map((piece) => "text" in piece && piece.text)
        .join(""),
    ).toBe("Looking.");
    expect(pieces.at(-1)).toEqual({ kind: "tool_calls", calls: [{ name: "Bash", input: { command: "ls" } }] });
  });

  it("reads two calls in a row, and an answer after a thought with no newline", () => {
    const call = (name: string) => `<|tool_call>call:${name}{file_path:${Q}/x${Q}}<tool_call|>`;
    const calls = read(`${call("Read")}${call("Glob")}`).pieces.filter((piece) => piece.kind === "tool_calls");
    expect(calls).toHaveLength(2);
    const answer = read("<|channel>thought<channel|>Done.").pieces;
    expect(answer).toEqual([..."Done."].map((text) => ({ kind: "text", text })));
  });

  it("passes a cut-off call on as text and counts it", () => {
    const { pieces, unparsed } = read(`<|tool_call>call:Bash{command:${Q}ech`);
    expect(pieces).toEqual([{ kind: "unparsed", text: `<|tool_call>call:Bash{command:${Q}ech` }]);
    expect(unparsed).toBe(1);
  });
});
