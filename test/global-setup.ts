import type { TestProject } from "vitest/node";
import { installEngine } from "../src/cli/commands/engine-command.js";
import { ensureLlamaSource } from "../src/engine/llama-source.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { isolateState } from "./state-setup.js";

declare module "vitest" {
  export interface ProvidedContext {
    llamaServer: string;
    llamaSource: string;
    testModel: string;
  }
}

/**
 * The integration project's setup: isolated state, and the real engine, the llama.cpp source and a real
 * test model, built once and cached outside the repo (the engine build cache is shared on purpose).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const say = (message: string) => process.stderr.write(`[setup] ${message}\n`);
  const teardown = isolateState();
  const engine = await installEngine({});
  const source = await ensureLlamaSource(say);
  const model = await ensureTestModel({ size: "tiny", template: "qwen3.5" }, say);
  say(`llama-server ${engine.path}\n[setup] test model ${model}`);
  project.provide("llamaServer", engine.path);
  project.provide("llamaSource", source.directory);
  project.provide("testModel", model);
  return teardown;
}
