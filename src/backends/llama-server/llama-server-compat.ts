import type { HistoryRemedy } from "../../families/history-remedy-kind.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import type { ChatMessagesCompat } from "../chat-completions/to-chat-messages.js";
import type { PromptRenderer } from "./render-prompt.js";

/**
 * What differs between llama-server instances (template, build, model), as data. Detected once per
 * backend by probing, overridable from the config.
 */
export interface LlamaServerCompat extends Pick<ChatMessagesCompat, "midConversationSystem" | "vision"> {
  /**
   * The template insists that user and assistant turns alternate (Mistral's reasoning templates raise
   * "roles must alternate"): a system message sent as a user turn joins the user turn next to it.
   */
  alternatingRoles: boolean;
  /** The model family the template belongs to (src/families/model-families.ts), when recognised. */
  family?: string;
  /** How earlier assistant turns are sent so the family's template renders them the same every turn. */
  history: HistoryRemedy;
  /**
   * Whether lanes are pinned to slots (`id_slot`). False when the server empties idle slots (a unified KV
   * cache with `--cache-idle-slots`, llama-server's default when it has a RAM prompt cache): a pinned
   * slot then comes back empty and llama-server does not restore it, while a request it places itself is
   * restored from its RAM prompt cache (probed: src/backends/llama-server/probe-slot-keeping.ts).
   */
  pinSlots: boolean;
  /**
   * Pinned slots share one context and the server has a RAM prompt cache (an engine Switchyard launches):
   * a turn that does not fit beside the other slots' prompts first has some moved to that cache
   * (slot-steering.ts), instead of the server emptying slots in slot order without saving them; and a
   * slot given to another lane first has its prompt moved there.
   */
  makeRoom?: boolean;
  /**
   * The template refuses a tool schema whose `type` is a union (`["integer", "null"]`) and renders the
   * same tool with a single type (GigaChat 3; probed with /apply-template): every request's tools are sent
   * with each union reduced to its first type other than `null` (single-schema-types.ts), as Goose's
   * OpenAI provider sends them. The same tools are sent the same way on every turn.
   */
  singleSchemaTypes?: boolean;
  /**
   * The template writes calls and results but never the tool list (DeepSeek V3.1, the R1 distills;
   * probed with a tool only the probe names): every request's tool list follows its system prompt, with
   * how to call a tool in this syntax (the family's `toolCalls`, src/backends/tools-as-text.ts).
   */
  toolListCall?: string;
  /** Extra chat_template_kwargs every request gets (`preserve_thinking` where the template has it). */
  templateKwargs: Record<string, unknown>;
  /**
   * Whether the template renders a conversation append-only when a new user query arrives (probed with
   * /apply-template). False means earlier assistant turns are re-rendered and their cache is lost.
   */
  appendOnly: boolean;
  /**
   * Set when Switchyard renders the prompt itself and sends it to `/completion` (the family's matrix
   * entry asks for it and its corrections apply to the server's template): the renderer and how the
   * model's output is read back. `false` (the backend's `compat` option) keeps the server's chat path.
   */
  rendering?: PromptRendering | false;
  /** Why Switchyard does not render a family that asks for it (its corrections do not apply to this template). */
  renderingRefused?: string;
  /**
   * The server's media marker (`/props` `media_marker`, random per process unless `LLAMA_MEDIA_MARKER` is
   * set), where Switchyard renders the prompt of a server that takes images: each image is this marker in
   * the prompt and its bytes in `multimodal_data` (completion-media.ts).
   */
  mediaMarker?: string;
}

/** Switchyard's own rendering of a family's prompt (render-prompt.ts) and the family's output syntax. */
export interface PromptRendering {
  renderer: PromptRenderer;
  syntax: OutputSyntax;
  /** Tools, calls and results are written as text before the messages are converted (Gemma 2). */
  toolsAsText?: boolean;
}

export const DEFAULT_LLAMA_SERVER_COMPAT: LlamaServerCompat = {
  midConversationSystem: "as-user",
  alternatingRoles: false,
  history: { kind: "none" },
  pinSlots: true,
  vision: false,
  templateKwargs: {},
  appendOnly: true,
};

/** Whether the family is rendered with its tools, calls and results as text (Gemma 2, Phi-3.5). */
export const rendersToolsAsText = (compat: Pick<LlamaServerCompat, "rendering">) =>
  compat.rendering ? compat.rendering.toolsAsText === true : false;
