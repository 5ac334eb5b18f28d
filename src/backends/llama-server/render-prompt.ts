import { createHash } from "node:crypto";
import { Template } from "@huggingface/jinja";
import type { RenderedPromptMode } from "../../families/rendered-prompt-mode.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { gemma4ToolResponses } from "./gemma4-tool-responses.js";

/** What the template is given besides the messages, as llama-server gives it. */
export interface RenderInput {
  messages: readonly ChatMessage[];
  /** Tools in the Chat Completions shape (`{type: "function", function: {...}}`); none: the variable is left out. */
  tools: readonly unknown[];
  addGenerationPrompt: boolean;
  /** `chat_template_kwargs` (enable_thinking and the server's own). */
  kwargs: Readonly<Record<string, unknown>>;
}

/** What the server says about its tokenizer, read from `/props` and `/tokenize` once. */
export interface ServerTokens {
  bosToken: string;
  eosToken: string;
  /** The server adds BOS when it tokenizes a prompt, so a rendered prompt's own BOS is cut (llama.cpp does too). */
  addsBos: boolean;
}

/**
 * Where @huggingface/jinja differs from the renderer llama-server uses (and from Python's Jinja, which
 * templates are written for), as rewrites of the template's text applied before parsing; each was
 * measured against llama-server's `/apply-template` (test/model-families.test.ts).
 */
export const RENDERER_QUIRKS: readonly { pattern: RegExp; replacement: string; why: string }[] = [
  {
    // Gemma 4: `value['type'] | upper == 'OBJECT'` for a schema without a type.
    pattern: /\|\s*(upper|lower)\b/g,
    replacement: "| default('') | $1",
    why: "`upper` and `lower` of an undefined value are '' in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
];

/** The text of a tool call's arguments as an object: llama-server hands templates parsed arguments. */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An id as `length` alphanumerics (hex of its hash): the same id is the same on every turn. */
const shortId = (id: string, length: number) => createHash("sha256").update(id).digest("hex").slice(0, length);

/**
 * A message as the template sees it (llama-server's shape: arguments parsed, nothing the template did not
 * get), with call ids in the form the template insists on, when it does.
 */
function templateMessage(message: ChatMessage, idLength: number | undefined): Record<string, unknown> {
  const id = (value: string) => (idLength ? shortId(value, idLength) : value);
  if (message.role === "tool") return { ...message, tool_call_id: id(message.tool_call_id) };
  if (message.role !== "assistant" || !message.tool_calls?.length) return { ...message };
  return {
    ...message,
    tool_calls: message.tool_calls.map((call) => ({
      ...call,
      id: id(call.id),
      function: { name: call.function.name, arguments: parsedArguments(call.function.arguments) },
    })),
  };
}

/**
 * Renders prompts from a chat template the way llama-server would, for the families whose prompt
 * Switchyard renders itself (docs/design/switchyard-renders.md). The template is the server's own with
 * the family's corrections (`RenderedPromptMode.patches`) applied; a correction whose text is not in the
 * template makes the renderer refuse the template, so a server with another template keeps the chat path.
 */
export class PromptRenderer {
  private readonly template: Template;

  private constructor(
    readonly source: string,
    private readonly tokens: ServerTokens,
    private readonly idLength: number | undefined,
    private readonly serverAppends: RenderedPromptMode["serverAppends"],
    private readonly serverReshapes: RenderedPromptMode["serverReshapes"],
  ) {
    this.template = new Template(source);
  }

  /** A renderer for `template` with the family's corrections, or why there is none. */
  static create(template: string, mode: RenderedPromptMode, tokens: ServerTokens): PromptRenderer | string {
    let source = template;
    for (const patch of mode.patches) {
      if (!source.includes(patch.find)) return `the template lacks ${JSON.stringify(patch.find.slice(0, 60))}`;
      source = source.replaceAll(patch.find, patch.replace);
    }
    for (const quirk of RENDERER_QUIRKS) source = source.replace(quirk.pattern, quirk.replacement);
    try {
      return new PromptRenderer(source, tokens, mode.toolCallIdLength, mode.serverAppends, mode.serverReshapes);
    } catch (error) {
      return `the template does not parse: ${(error as Error).message}`;
    }
  }

  render(input: RenderInput): string {
    const messages = input.messages.map((message) => templateMessage(message, this.idLength));
    const context: Record<string, unknown> = {
      ...input.kwargs,
      messages: this.serverReshapes === "gemma4-tool-responses" ? gemma4ToolResponses(messages) : messages,
      add_generation_prompt: input.addGenerationPrompt,
      bos_token: this.tokens.bosToken,
      eos_token: this.tokens.eosToken,
    };
    if (input.tools.length > 0) context.tools = input.tools;
    let prompt = this.template.render(context);
    const appends = this.serverAppends;
    if (input.addGenerationPrompt && appends && prompt.endsWith(appends.whenEndsWith)) prompt += appends.text;
    return this.tokens.addsBos && this.tokens.bosToken && prompt.startsWith(this.tokens.bosToken)
      ? prompt.slice(this.tokens.bosToken.length)
      : prompt;
  }
}
