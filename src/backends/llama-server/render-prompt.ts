import type { Template } from "@huggingface/jinja";
import type { RenderedPromptMode } from "../../families/rendered-prompt-mode.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { gemma4ToolResponses } from "./gemma4-tool-responses.js";
import { compileTemplate } from "./jinja-quirks.js";
import { singleSchemaTypes } from "./single-schema-types.js";
import { systemMessageNotSupported } from "./system-message-not-supported.js";
import { templateMessage } from "./template-message.js";

/** The messages as llama-server reshapes them in C++ before such a template sees them. */
function reshaped(messages: Record<string, unknown>[], how: RenderedPromptMode["serverReshapes"]) {
  if (how === "gemma4-tool-responses") return gemma4ToolResponses(messages);
  if (how === "system-message-not-supported") return systemMessageNotSupported(messages);
  return messages;
}

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
    private readonly mode: RenderedPromptMode,
  ) {
    this.template = compileTemplate(source);
  }

  /** A renderer for `template` with the family's corrections, or why there is none. */
  static create(template: string, mode: RenderedPromptMode, tokens: ServerTokens): PromptRenderer | string {
    let source = template;
    for (const patch of mode.patches) {
      if (!source.includes(patch.find)) return `the template lacks ${JSON.stringify(patch.find.slice(0, 60))}`;
      source = source.replaceAll(patch.find, patch.replace);
    }
    try {
      return new PromptRenderer(source, tokens, mode);
    } catch (error) {
      return `the template does not parse: ${(error as Error).message}`;
    }
  }

  /**
   * The prompt for `input`. Where the template raises on a tool schema's type union, the tools are
   * rendered again with single types (`single-schema-types.ts`): the request is served, where
   * llama-server would refuse it (Seed-OSS, Hermes 3).
   */
  render(input: RenderInput): string {
    try {
      return this.renderAsGiven(input);
    } catch (error) {
      const tools = singleSchemaTypes(input.tools);
      if (tools === input.tools) throw error;
      return this.renderAsGiven({ ...input, tools });
    }
  }

  private renderAsGiven(input: RenderInput): string {
    const messages = input.messages.map((message) => templateMessage(message, this.mode));
    const context: Record<string, unknown> = {
      ...input.kwargs,
      messages: reshaped(messages, this.mode.serverReshapes),
      add_generation_prompt: input.addGenerationPrompt,
      bos_token: this.tokens.bosToken,
      eos_token: this.tokens.eosToken,
    };
    if (input.tools.length > 0) context.tools = input.tools;
    let prompt = this.template.render(context);
    const appends = this.mode.serverAppends;
    if (input.addGenerationPrompt && appends && prompt.endsWith(appends.whenEndsWith)) prompt += appends.text;
    return this.tokens.addsBos && this.tokens.bosToken && prompt.startsWith(this.tokens.bosToken)
      ? prompt.slice(this.tokens.bosToken.length)
      : prompt;
  }
}
