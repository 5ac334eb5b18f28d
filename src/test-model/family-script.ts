import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compileTemplate } from "../backends/llama-server/jinja-quirks.js";
import { systemMessageNotSupported } from "../backends/llama-server/system-message-not-supported.js";
import { chatToolsAsText } from "../backends/tools-as-text.js";
import { correctedCopy, detectFamily } from "../families/model-families.js";
import type { RenderedPromptMode } from "../families/rendered-prompt-mode.js";

/**
 * "unscripted" holds no chains at all: the family's template on random weights, which babble until
 * max_tokens. Only for measurements where what the model says does not matter (bench:cache), and for
 * templates no script can be planned for; it is always asked for by name, never substituted.
 */
export type TestModelScript = "text" | "tool-call" | "malformed-tool-call" | "unscripted";
export const TEST_MODEL_SCRIPTS: readonly TestModelScript[] = [
  "text",
  "tool-call",
  "malformed-tool-call",
  "unscripted",
];

/** Short names kept from before any template file could be named. */
const SHORT_NAMES: Record<string, string> = { "qwen3.5": "Qwen3.5-4B.jinja", "qwen3-coder": "Qwen3-Coder.jinja" };

/** The template file (under models/templates/ of the llama.cpp source) a --template value names. */
export function templateFileName(name: string): string {
  return SHORT_NAMES[name] ?? name;
}

export function readTemplate(llamaSource: string, name: string): string {
  const file = templateFileName(name);
  const path = join(llamaSource, "models", "templates", file);
  if (basename(file) !== file || !file.endsWith(".jinja") || !existsSync(path)) {
    throw new Error(`--template must be qwen3.5, qwen3-coder or a file in ${join(llamaSource, "models", "templates")}`);
  }
  return readFileSync(path, "utf8");
}

/**
 * The tool call the tool-call script makes; "-tool" in it is the marker that a tool result is present.
 * The tool's name is Claude Code's unless told another (pi's and opencode's shell tool is `bash`); its
 * argument is `command` in all three, unless told another (Codex's `exec_command` takes `cmd`).
 */
export const SCRIPT_TOOL_NAME = "Bash";
export const SCRIPT_ARGUMENT = "command";
const SCRIPT_COMMAND = "echo switchyard-tool-ran";

/** Whether a script's model calls a tool (and so its tool is named in messages and file names). */
export const scriptCallsTool = (script: TestModelScript) => script !== "text" && script !== "unscripted";

/** What a model's name says about its script: nothing for text, the tool's name when it is not Bash. */
export function scriptSuffix(
  script: TestModelScript,
  toolName: string = SCRIPT_TOOL_NAME,
  argument: string = SCRIPT_ARGUMENT,
): string {
  // The names go into file names, and OpenAI's API allows no more in a function name.
  for (const name of [toolName, argument])
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
      throw new Error(`the tool name ${JSON.stringify(name)} is not a-z, 0-9, _ or -`);
  if (script === "text") return "";
  // An unscripted model calls no tool, so its name is the same whatever tool is named.
  if (script === "unscripted") return "-unscripted";
  const tool = toolName === SCRIPT_TOOL_NAME ? "" : `-${toolName}`;
  return `-${script}${tool}${argument === SCRIPT_ARGUMENT ? "" : `-${argument}`}`;
}
export const TOOL_RESULT_MARKER = "-tool";
/** Nine alphanumerics: Mistral's templates raise on any other call id (the scripted families render none). */
const SCRIPT_CALL_ID = "a1b2c3d4e";
const REASONING = "Calling the tool now.";
/** Different from REASONING, so the tool call and the answer part at once where the family allows. */
const AFTER_TOOL_REASONING = "The tool has run.";
const AFTER_TOOL_ANSWER = "The command ran; its output is above. Done.";
const TEXT_ANSWER = "Hello! This is the Switchyard test net: random weights, fixed reply.";

const toolsNamed = (name: string, argument: string) => [
  {
    type: "function",
    function: {
      name,
      description: "Runs a shell command.",
      parameters: { type: "object", properties: { [argument]: { type: "string" } }, required: [argument] },
    },
  },
];

/** What the model says after one rendered generation prompt. */
export interface ScriptBranch {
  /** The rendered conversation up to and including the generation prompt. */
  prompt: string;
  /** What the model says when no tool result is in the prompt. */
  reply: string;
  /** The conversation after the tool call and its result, up to the generation prompt (tool-call script). */
  afterToolPrompt?: string;
  /** What the model says then. */
  afterTool?: string;
}

/**
 * The family's own bytes for each script, taken from the template itself: render an assistant message
 * (reasoning plus a tool call, or reasoning plus text) after a user message, and keep what follows the
 * generation prompt. The turn's closing marker is dropped: in the family's own vocabulary it is an
 * end-of-generation token, which llama-server never puts in the text; the test model stops with
 * <|im_end|> instead. One branch per generation prompt (thinking on and off).
 */
export function familyScript(
  templateSource: string,
  script: TestModelScript,
  toolName: string = SCRIPT_TOOL_NAME,
  argument: string = SCRIPT_ARGUMENT,
): ScriptBranch[] {
  try {
    return scriptFrom(templateSource, script, toolName, argument);
  } catch (error) {
    // A family whose prompt Switchyard renders gets the prompt of the template with the family's
    // corrections (Hermes 3: the stock one closes the last tool result otherwise than once the answer
    // follows, so the answer does not extend its generation prompt; the R1 distills: a corrected copy of
    // the whole template): scripted as the model will see it.
    // Gemma 2, Phi-3.5: tools, calls and results written as text by Switchyard (tools-as-text.ts).
    const family = detectFamily(templateSource);
    if (family?.render?.toolsAsText) return scriptFrom(templateSource, script, toolName, argument, family.render);
    const patches = family?.render?.patches ?? [];
    const patched =
      (family && correctedCopy(family, templateSource)) ??
      patches.reduce((text, patch) => text.replaceAll(patch.find, patch.replace), templateSource);
    if (patched === templateSource) throw error;
    return scriptFrom(patched, script, toolName, argument);
  }
}

/**
 * The script's messages as Switchyard hands them to a template that takes tools as text
 * (src/backends/tools-as-text.ts): the tool list as a system prompt, joined to the first user message
 * where llama-server joins it (Gemma 2).
 */
function asText(messages: unknown[], tools: ReturnType<typeof toolsNamed>, mode: RenderedPromptMode): unknown[] {
  const definitions = tools.map(({ function: fn }) => ({
    name: fn.name,
    description: fn.description,
    inputSchema: fn.parameters,
  }));
  const text = chatToolsAsText(messages as Array<Record<string, unknown>>, definitions);
  return mode.serverReshapes === "system-message-not-supported" ? systemMessageNotSupported(text) : text;
}

function scriptFrom(
  templateSource: string,
  script: TestModelScript,
  toolName: string,
  argument: string,
  toolsInText?: RenderedPromptMode,
): ScriptBranch[] {
  const template = compileTemplate(templateSource);
  const tools = toolsNamed(toolName, argument);
  const scriptTool = { name: toolName, arguments: { [argument]: SCRIPT_COMMAND } };
  const branches: ScriptBranch[] = [];
  const errors: string[] = [];
  for (const enableThinking of [true, false]) {
    const render = (messages: unknown[], addGenerationPrompt: boolean) =>
      template.render({
        ...(toolsInText ? { messages: asText(messages, tools, toolsInText) } : { messages, tools }),
        add_generation_prompt: addGenerationPrompt,
        bos_token: "",
        eos_token: "",
        enable_thinking: enableThinking,
      });
    const user = { role: "user", content: "Run the tool." };
    const prompt = render([user], true);
    const call = {
      role: "assistant",
      content: "",
      tool_calls: [{ id: SCRIPT_CALL_ID, type: "function", function: scriptTool }],
    };
    const result = { role: "tool", tool_call_id: SCRIPT_CALL_ID, content: "switchyard-tool-ran" };
    // Some families (Gemma 4) go on in the same turn after a tool result: another generation prompt.
    const afterToolPrompt = render([user, call, result], true);
    const said = (message: Record<string, unknown>, thought = REASONING, history: unknown[] = []): string => {
      // With thinking off the generation prompt closes an empty reasoning block, so the reply has none.
      const reasoning = enableThinking ? { reasoning_content: thought, thinking: thought } : {};
      const before = history.length === 0 ? prompt : afterToolPrompt;
      const full = render([user, ...history, { role: "assistant", ...reasoning, ...message }], false);
      if (!full.startsWith(before)) throw new Error("the rendered conversation does not extend the generation prompt");
      return full.slice(before.length);
    };
    try {
      const turnEnd = said({ content: "XYZ" }).split("XYZ").at(-1) ?? "";
      const text = (content: string, thought?: string) => dropTurnEnd(said({ content }, thought), turnEnd);
      const toolCall = dropTurnEnd(said(call), turnEnd);
      if (!toolCall.includes(SCRIPT_COMMAND)) throw new Error("the template does not render tool calls");
      switch (script) {
        case "text":
          branches.push({ prompt, reply: text(TEXT_ANSWER) });
          break;
        case "tool-call":
          branches.push({
            prompt,
            reply: toolCall,
            afterToolPrompt,
            afterTool: dropTurnEnd(said({ content: AFTER_TOOL_ANSWER }, AFTER_TOOL_REASONING, [call, result]), turnEnd),
          });
          break;
        case "unscripted":
          throw new Error("an unscripted model has no script");
        case "malformed-tool-call":
          // The reply without its first byte (a broken channel header where the family has one, as
          // gpt-oss does) and cut off inside the arguments: output the engine's parser cannot finish.
          branches.push({ prompt, reply: toolCall.slice(1, toolCall.indexOf(SCRIPT_COMMAND) + 4) });
          break;
        default: {
          const unknown: never = script;
          throw new Error(`unknown script ${unknown}`);
        }
      }
    } catch (error) {
      errors.push(`enable_thinking=${enableThinking}: ${(error as Error).message}`);
    }
  }
  if (branches.length === 0) throw new Error(`cannot script this template (${errors.join("; ")})`);
  return branches;
}

/** Special-looking closing markers: <|call|>, <|tool_response>, <｜end▁of▁sentence｜>. */
const CLOSING_MARKER = /(?:<\|[^<>|]*\|?>|<｜[^<>]*｜>)\s*$/u;

function dropTurnEnd(said: string, turnEnd: string): string {
  if (turnEnd.trim() !== "") {
    if (said.endsWith(turnEnd)) return said.slice(0, -turnEnd.length);
    const trimmed = said.trimEnd();
    if (trimmed.endsWith(turnEnd.trim())) return trimmed.slice(0, -turnEnd.trim().length);
  }
  const marker = CLOSING_MARKER.exec(said);
  return marker ? said.slice(0, marker.index) : said.trimEnd();
}
