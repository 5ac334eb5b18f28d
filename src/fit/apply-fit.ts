import { updateConfigFile } from "../config/load-config.js";

/** What `fit moe --apply` keeps for `switchyard serve` and the engine launcher. */
export interface AppliedFit {
  cpuMoeLayers: number;
  context: number;
}

/**
 * Writes the chosen `--n-cpu-moe` into `engine.extraArgs` (replacing any earlier one, so applying twice
 * leaves one) and the context into `engine.contextSize`: the two settings `serve --model FILE` passes
 * to llama-server (agentEngineArgs). Fields the user wrote elsewhere in the file are kept.
 */
export function applyFitToConfig(fit: AppliedFit, path?: string): void {
  updateConfigFile((raw) => {
    const engine = (raw.engine ?? {}) as { extraArgs?: string[]; contextSize?: number };
    const kept: string[] = [];
    const previous = engine.extraArgs ?? [];
    for (let index = 0; index < previous.length; index++) {
      const argument = previous[index] as string;
      if (argument === "--n-cpu-moe" || argument === "-ncmoe") index++;
      else if (!argument.startsWith("--n-cpu-moe=")) kept.push(argument);
    }
    engine.extraArgs = fit.cpuMoeLayers > 0 ? [...kept, "--n-cpu-moe", String(fit.cpuMoeLayers)] : kept;
    engine.contextSize = fit.context;
    raw.engine = engine;
  }, path);
}
