import { join } from "node:path";
import { inject } from "vitest";
import { EngineSupervisor } from "../../src/engine/engine-supervisor.js";

/**
 * The kind of llama-server a user starts themselves: the real engine and test model, serving one of
 * llama.cpp's own chat templates (a file under `models/templates/`) as it ships.
 */
export function startStockEngine(
  template: string,
  { parallel, ctxSize, maxRestarts }: { parallel: number; ctxSize: number; maxRestarts?: number },
): Promise<EngineSupervisor> {
  return EngineSupervisor.start({
    binary: inject("llamaServer"),
    model: inject("testModel"),
    args: [
      "--jinja",
      "--parallel",
      String(parallel),
      "--ctx-size",
      String(ctxSize),
      "--no-webui",
      "--chat-template-file",
      join(inject("llamaSource"), "models", "templates", template),
    ],
    ...(maxRestarts === undefined ? {} : { maxRestarts }),
  });
}
