import type { ModelFamily } from "../../families/model-families.js";
import type { PromptRendering } from "./llama-server-compat.js";
import { PromptRenderer } from "./render-prompt.js";

/**
 * Switchyard's own rendering for a family whose matrix entry asks for it: the server's template with the
 * family's corrections, its BOS handled as llama-server handles it (a vocabulary that adds BOS when
 * tokenizing gets a prompt without its own). Why not, as text, when the corrections do not apply.
 * `tokenize`: the server's `/tokenize` with `add_special`.
 */
export async function promptRenderingFor(
  family: ModelFamily | undefined,
  props: { chat_template?: string; bos_token?: string; eos_token?: string },
  tokenize: (content: string) => Promise<unknown[]>,
): Promise<PromptRendering | string | undefined> {
  if (!family?.render) return undefined;
  if (!props.chat_template) return "the server reports no chat template";
  const renderer = PromptRenderer.create(props.chat_template, family.render, {
    bosToken: props.bos_token ?? "",
    eosToken: props.eos_token ?? "",
    addsBos: (await tokenize("")).length > 0,
  });
  return typeof renderer === "string" ? renderer : { renderer, syntax: family.render.output };
}
