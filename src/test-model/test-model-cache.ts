import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { ensureLlamaSource, type Report } from "../engine/llama-source.js";
import { cacheDirectory } from "../util/paths.js";
import { SCRIPT_TOOL_NAME, scriptCallsTool, scriptSuffix, type TestModelScript } from "./family-script.js";
import { type TestModelTemplate, writeTestModel } from "./test-model.js";
import type { TestModelSize } from "./test-model-shapes.js";

/** Bump when the generator changes what it writes, so cached models are made anew. */
const GENERATOR_REVISION = 5;

export interface TestModelChoice {
  size?: TestModelSize;
  /** qwen3.5, qwen3-coder or a template file name under models/templates/ of the llama.cpp source. */
  template?: TestModelTemplate;
  script?: TestModelScript;
  /** The tool the tool-call scripts call (Bash unless told another). */
  tool?: string;
  /** The name of the tool's one argument (`command` unless told another). */
  argument?: string;
  seed?: number;
}

/** The built-in test model, generated into the cache once per size, template, script and seed. */
export async function ensureTestModel(choice: TestModelChoice = {}, report: Report = () => {}): Promise<string> {
  const size = choice.size ?? "tiny";
  const template = choice.template ?? "qwen3.5";
  const script = choice.script ?? "text";
  const seed = choice.seed ?? 1;
  const directory = join(cacheDirectory(), "models");
  const tool = choice.tool ?? SCRIPT_TOOL_NAME;
  const name = `switchyard-test-${size}-${template.replace(/\.jinja$/, "")}${scriptSuffix(script, tool, choice.argument)}-seed${seed}-r${GENERATOR_REVISION}`;
  const path = join(directory, `${name}.gguf`);
  if (existsSync(path)) return path;
  const source = await ensureLlamaSource(report);
  const calling = scriptCallsTool(script) ? `, tool ${tool}${choice.argument ? `(${choice.argument})` : ""}` : "";
  report(`writing the ${size} test model (${template} template, ${script} script${calling}) to ${path}`);
  mkdirSync(directory, { recursive: true });
  // Written beside and renamed, so a test running in parallel never loads a half-written file.
  const partial = `${path}.${process.pid}.partial`;
  await writeTestModel({
    llamaSource: source.directory,
    outputPath: partial,
    size,
    template,
    script,
    tool,
    argument: choice.argument,
    seed,
  });
  renameSync(partial, path);
  return path;
}
