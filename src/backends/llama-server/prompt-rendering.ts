import { correctedCopy, type ModelFamily } from "../../families/model-families.js";
import type { PromptRendering } from "./llama-server-compat.js";
import { PromptRenderer } from "./render-prompt.js";

/**
 * The template Switchyard renders for the server's: the server's own (patched by the renderer), or,
 * for a family whose corrections are whole templates (`RenderedPromptMode.corrected`), the corrected
 * copy of the stock template the server has. Why not, as text, when it has none of them.
 */
function templateToRender(family: ModelFamily, template: string): string | { refused: string } {
  if (!family.render?.corrected) return template;
  return (
    correctedCopy(family, template) ?? {
      refused: "the template is none of the family's stock templates, of which Switchyard has corrected copies",
    }
  );
}

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
  const template = templateToRender(family, props.chat_template);
  if (typeof template !== "string") return template.refused;
  const renderer = PromptRenderer.create(template, family.render, {
    bosToken: props.bos_token ?? "",
    eosToken: props.eos_token ?? "",
    addsBos: (await tokenize("")).length > 0,
  });
  if (typeof renderer === "string") return renderer;
  return { renderer, syntax: family.render.output, ...(family.render.toolsAsText ? { toolsAsText: true } : {}) };
}
