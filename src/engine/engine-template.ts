import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import type { LlamaServerCompat } from "../backends/llama-server/llama-server-compat.js";
import { correctTemplate } from "../backends/llama-server/template-remedy.js";
import { detectFamily } from "../families/model-families.js";
import { cacheDirectory } from "../util/paths.js";

/**
 * For an engine Switchyard launches: when the model's chat template renders history depending on where
 * the last user query is (Qwen3, Qwen3.5), a corrected copy is written to the cache and passed with
 * `--chat-template-file`, so every turn's prompt extends the previous one.
 */
export async function correctedTemplateArgs(
  modelPath: string,
): Promise<{ args: string[]; note?: string; compat?: Partial<LlamaServerCompat> }> {
  let template: unknown;
  try {
    const parsed = await gguf(modelPath, { allowLocalFile: true });
    template = (parsed.metadata as Record<string, unknown>)["tokenizer.chat_template"];
  } catch {
    return { args: [] };
  }
  if (typeof template !== "string") return { args: [] };
  // A family whose stock template the gateway's history remedy keeps append-only needs no copy: both kinds
  // of server then render the same prompt (src/families/model-families.ts).
  const family = detectFamily(template);
  if (family?.appendOnly === true) return { args: [] };
  const corrected = correctTemplate(template);
  if (!corrected) return { args: [] };
  const directory = join(cacheDirectory(), "templates");
  const path = join(
    directory,
    `append-only-${createHash("sha256").update(corrected).digest("hex").slice(0, 16)}.jinja`,
  );
  if (!existsSync(path)) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(path, corrected);
  }
  return {
    args: ["--chat-template-file", path],
    // The copy already renders every turn the same way: no history remedy on top of it, and the family
    // is the stock template's (the copy no longer matches its fingerprint).
    compat: { history: { kind: "none" }, ...(family ? { family: family.id } : {}) },
    note: `the model's chat template re-renders earlier turns when a new user query arrives; using an append-only copy (${path})`,
  };
}
