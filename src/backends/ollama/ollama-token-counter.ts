import { access, constants } from "node:fs/promises";
import { GgufBpeTokenizer } from "../../tokenize/gguf-bpe-tokenizer.js";
import type { OllamaShow } from "./ollama-compat.js";

/**
 * The model file behind an Ollama model, from /api/show `modelfile` (`FROM /…/blobs/sha256-…`), when
 * it is a file this process can read (Ollama on the same machine, models readable by this user).
 */
export async function modelFileOf(show: OllamaShow): Promise<string | undefined> {
  const path = /^FROM\s+(\/\S+)\s*$/m.exec(show.modelfile ?? "")?.[1];
  if (!path) return undefined;
  try {
    await access(path, constants.R_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** The model's own tokenizer, when its file is readable and its vocabulary is one we count exactly. */
export async function tokenizerFor(show: OllamaShow): Promise<GgufBpeTokenizer | undefined> {
  const path = await modelFileOf(show);
  if (!path) return undefined;
  try {
    return await GgufBpeTokenizer.fromGgufFile(path);
  } catch {
    return undefined;
  }
}

/**
 * The /api/chat body that asks Ollama to render the prompt without running the model
 * (`_debug_render_only`, api/types.go; the answer's `_debug_info.rendered_template` is the exact text
 * the runner would tokenize, server/routes.go ChatHandler). Same options as a real request, so the
 * model is not reloaded; `num_predict: 1` bounds the cost on a server too old to know the flag.
 */
export function renderOnlyBody(chatBody: Record<string, unknown>): Record<string, unknown> {
  return {
    ...chatBody,
    stream: false,
    _debug_render_only: true,
    options: { ...(chatBody.options as Record<string, unknown>), num_predict: 1 },
  };
}

export function renderedTemplateOf(answer: unknown): string | undefined {
  const rendered = (answer as { _debug_info?: { rendered_template?: unknown } } | undefined)?._debug_info
    ?.rendered_template;
  return typeof rendered === "string" ? rendered : undefined;
}
