import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ensureLlamaSource, type Report } from "../engine/llama-source.js";
import { cacheDirectory } from "../util/paths.js";
import { type TestModelTemplate, writeTestModel } from "./test-model.js";
import type { TestModelSize } from "./test-model-shapes.js";

/** Bump when the generator changes what it writes, so cached models are made anew. */
const GENERATOR_REVISION = 2;

export interface TestModelChoice {
  size?: TestModelSize;
  template?: TestModelTemplate;
  seed?: number;
}

/** The built-in test model, generated into the cache once per size, template and seed. */
export async function ensureTestModel(choice: TestModelChoice = {}, report: Report = () => {}): Promise<string> {
  const size = choice.size ?? "tiny";
  const template = choice.template ?? "qwen3.5";
  const seed = choice.seed ?? 1;
  const directory = join(cacheDirectory(), "models");
  const path = join(directory, `switchyard-test-${size}-${template}-seed${seed}-r${GENERATOR_REVISION}.gguf`);
  if (existsSync(path)) return path;
  const source = await ensureLlamaSource(report);
  report(`writing the ${size} test model (${template} template) to ${path}`);
  mkdirSync(directory, { recursive: true });
  await writeTestModel({ llamaSource: source.directory, outputPath: path, size, template, seed });
  return path;
}
