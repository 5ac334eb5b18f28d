import { describe, expect, it } from "vitest";
import { familyById } from "../../families/model-families.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { toolCallBlock } from "../tools-as-text.js";
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

/** Everything a family's parser gives for `output` fed one character at a time, runs of one kind joined. */
function readAs(family: string, output: string, prompt: string, tools: unknown[] = []): OutputPiece[] {
  const parser = new FamilyOutputParser(familyById(family)?.render?.output as OutputSyntax, prompt, tools);
  const joined: OutputPiece[] = [];
  for (const piece of [...[...output].flatMap((character) => parser.push(character)), ...parser.finish()]) {
    const last = joined.at(-1);
    if (last && last.kind === piece.kind && "text" in last && "text" in piece) last.text += piece.text;
    else joined.push({ ...piece });
  }
  return joined;
}

/** Claude Code's Read tool, as far as typing its values goes. */
const READ_TOOL = [
  {
    type: "function",
    function: {
      name: "Read",
      parameters: {
        properties: { file_path: { type: "string" }, limit: { type: "number" }, pages: { type: "string" } },
      },
    },
  },
];

describe("FamilyOutputParser (Seed-OSS: the model opens its reasoning, <function=…> calls unpadded)", () => {
  // As ByteDance-Seed-OSS.jinja writes an assistant turn after its generation prompt `<seed:bos>assistant\n`.
  const CALL =
    "<seed:tool_call>\n<function=Read>\n<parameter=file_path>/a b.txt</parameter>\n<parameter=limit>20</parameter>\n<parameter=pages>20</parameter>\n</function>\n</seed:tool_call>";

  it("reads the reasoning the output opens, the newline the template writes after it dropped", () => {
    expect(readAs("seed-oss", "<seed:think>Look.</seed:think>\nHi.", "<seed:bos>assistant\n")).toEqual([
      { kind: "thinking", text: "Look." },
      { kind: "text", text: "Hi." },
    ]);
    // Only at the start: later it is text.
    expect(readAs("seed-oss", "Hi <seed:think>x", "")).toEqual([{ kind: "text", text: "Hi <seed:think>x" }]);
  });

  it("types each value by the tool's schema: a string as it stands, a number as JSON", () => {
    expect(readAs("seed-oss", `<seed:think>R</seed:think>\n${CALL}`, "", READ_TOOL)).toEqual([
      { kind: "thinking", text: "R" },
      { kind: "tool_calls", calls: [{ name: "Read", input: { file_path: "/a b.txt", limit: 20, pages: "20" } }] },
    ]);
  });

  it("passes a block it cannot read on as text: cut off, stray text, a number that is not one", () => {
    const cut = CALL.slice(0, 60);
    expect(readAs("seed-oss", cut, "", READ_TOOL)).toEqual([{ kind: "unparsed", text: cut }]);
    const stray = CALL.replace("</function>", "oops</function>");
    expect(readAs("seed-oss", stray, "", READ_TOOL)).toEqual([{ kind: "unparsed", text: stray }]);
    const notNumber = CALL.replace(">20<", ">twenty<");
    expect(readAs("seed-oss", notNumber, "", READ_TOOL)).toEqual([{ kind: "unparsed", text: notNumber }]);
  });
});

describe("FamilyOutputParser (StepFun 3.5: reasoning opened by the prompt, values between newlines)", () => {
  it("reads what StepFun3.5-Flash.jinja writes after `<think>\\n`", () => {
    const output =
      "Plan.\n</think>\n<tool_call>\n<function=Read>\n<parameter=file_path>\n/x\n</parameter>\n</function>\n</tool_call>";
    expect(readAs("stepfun-3.5", output, "<|im_start|>assistant\n<think>\n", READ_TOOL)).toEqual([
      { kind: "thinking", text: "Plan.\n" },
      { kind: "tool_calls", calls: [{ name: "Read", input: { file_path: "/x" } }] },
    ]);
  });
});

describe("FamilyOutputParser (Hermes 3: one JSON call per <tool_call> block)", () => {
  const CALL = '<tool_call>\n{"name": "Bash", "arguments": {"command": "ls"}}\n</tool_call>';

  it("reads each block's call, text before them apart", () => {
    expect(readAs("hermes-3", `Running.\n${CALL}\n${CALL}`, "")).toEqual([
      { kind: "text", text: "Running." },
      { kind: "tool_calls", calls: [{ name: "Bash", input: { command: "ls" } }] },
      { kind: "tool_calls", calls: [{ name: "Bash", input: { command: "ls" } }] },
    ]);
  });

  it("passes a block cut off in its JSON, or one without a name, on as text", () => {
    const cut = CALL.slice(0, 40);
    expect(readAs("hermes-3", cut, "")).toEqual([{ kind: "unparsed", text: cut }]);
    const nameless = CALL.replace('"name": "Bash", ', "");
    expect(readAs("hermes-3", nameless, "")).toEqual([{ kind: "unparsed", text: nameless }]);
  });
});

describe("FamilyOutputParser (Gemma 2: tools as text, each call a fenced JSON block)", () => {
  const block = toolCallBlock;

  it("reads the calls Switchyard writes in history, text before them apart, other fences as text", () => {
    const write = { file_path: "/x.md", content: "# Notes\n```sh\nls\n```\n" };
    const output = `Here is a fence:\n\n\`\`\`sh\nls\n\`\`\`\n\nNow the calls.\n\n${block("Write", write)}\n\n${block("Bash", { command: "ls" })}`;
    expect(readAs("gemma-2", output, "<start_of_turn>model\n")).toEqual([
      { kind: "text", text: "Here is a fence:\n\n```sh\nls\n```\n\nNow the calls." },
      { kind: "tool_calls", calls: [{ name: "Write", input: write }] },
      { kind: "tool_calls", calls: [{ name: "Bash", input: { command: "ls" } }] },
    ]);
  });

  it("reads a call pretty-printed over lines, and passes one cut off on as text", () => {
    const spread = '```tool_call\n{\n  "name": "Bash",\n  "arguments": {"command": "ls"}\n}\n```';
    expect(readAs("gemma-2", spread, "")).toEqual([
      { kind: "tool_calls", calls: [{ name: "Bash", input: { command: "ls" } }] },
    ]);
    const cut = block("Bash", { command: "ls" }).slice(0, 30);
    expect(readAs("gemma-2", cut, "")).toEqual([{ kind: "unparsed", text: cut }]);
  });
});

describe("FamilyOutputParser (Nemotron Nano v2: a list of JSON calls in one <TOOLCALL> block)", () => {
  it("reads every call of the list after the reasoning the prompt opened", () => {
    const output =
      'Plan.</think><TOOLCALL>[{"name": "Bash", "arguments": {"command": "ls"}}, {"name": "Read", "arguments": {"file_path": "/x"}}]</TOOLCALL>';
    expect(readAs("nemotron-nano-v2", output, "<SPECIAL_11>Assistant\n<think>\n")).toEqual([
      { kind: "thinking", text: "Plan." },
      {
        kind: "tool_calls",
        calls: [
          { name: "Bash", input: { command: "ls" } },
          { name: "Read", input: { file_path: "/x" } },
        ],
      },
    ]);
    const oneBad = output.replace('"name": "Read", ', "");
    expect(readAs("nemotron-nano-v2", oneBad, "<think>\n").at(-1)?.kind).toBe("unparsed");
  });
});

describe("FamilyOutputParser (Mistral Nemo: a JSON list of calls after [TOOL_CALLS], to the end of the output)", () => {
  it("reads every call as the template writes them (ids kept in the list, not in the input)", () => {
    const output =
      '[TOOL_CALLS][{"name": "Bash", "arguments": {"command": "ls"}, "id": "a1b2c3d4e"}, {"name": "Read", "arguments": {"file_path": "/x"}, "id": "f5g6h7i8j"}]';
    expect(readAs("mistral-nemo", output, "[/INST]")).toEqual([
      {
        kind: "tool_calls",
        calls: [
          { name: "Bash", input: { command: "ls" } },
          { name: "Read", input: { file_path: "/x" } },
        ],
      },
    ]);
  });

  it("keeps text as text, and passes a list cut off in its arguments on as text", () => {
    expect(readAs("mistral-nemo", "It is a Node project.", "[/TOOL_RESULTS]")).toEqual([
      { kind: "text", text: "It is a Node project." },
    ]);
    const cut = '[TOOL_CALLS][{"name": "Bash", "arguments": {"command": "l';
    expect(readAs("mistral-nemo", cut, "[/INST]")).toEqual([{ kind: "unparsed", text: cut }]);
  });
});

describe("FamilyOutputParser (DeepSeek R1 distills: calls as the Qwen distill's template writes them)", () => {
  const FENCE = "```";
  const call = (name: string, json: string) =>
    `<｜tool▁call▁begin｜>function<｜tool▁sep｜>${name}\n${FENCE}json\n${json}\n${FENCE}<｜tool▁call▁end｜>`;
  const BLOCK = `<｜tool▁calls▁begin｜>${call("Bash", '{"command": "ls"}')}\n${call("Read", '{"file_path": "/x"}')}<｜tool▁calls▁end｜>`;

  it("reads the reasoning the generation prompt opened, the text, and every call of the block", () => {
    expect(readAs("deepseek-r1-distill", `Plan.\n</think>\n\nLooking.${BLOCK}`, "<｜Assistant｜><think>\n")).toEqual([
      { kind: "thinking", text: "Plan.\n" },
      { kind: "text", text: "Looking." },
      {
        kind: "tool_calls",
        calls: [
          { name: "Bash", input: { command: "ls" } },
          { name: "Read", input: { file_path: "/x" } },
        ],
      },
    ]);
  });

  it("after tool results (no generation prompt), reads a reasoning block the model opens itself", () => {
    expect(readAs("deepseek-r1-distill", "<think>\nDone.</think>\n\nOne file.", "<｜tool▁outputs▁end｜>")).toEqual([
      { kind: "thinking", text: "Done." },
      { kind: "text", text: "One file." },
    ]);
  });

  it("passes a block cut off, with stray text, or with arguments that are not a JSON object on as text", () => {
    const cut = BLOCK.slice(0, 60);
    expect(readAs("deepseek-r1-distill", cut, "")).toEqual([{ kind: "unparsed", text: cut }]);
    const stray = BLOCK.replace("<｜tool▁call▁end｜>\n", "<｜tool▁call▁end｜>oops\n");
    expect(readAs("deepseek-r1-distill", stray, "")).toEqual([{ kind: "unparsed", text: stray }]);
    const notJson = BLOCK.replace('{"command": "ls"}', "ls");
    expect(readAs("deepseek-r1-distill", notJson, "")).toEqual([{ kind: "unparsed", text: notJson }]);
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
