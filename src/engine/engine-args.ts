import type { SwitchyardConfig } from "../config/config-schema.js";

/**
 * llama-server flags for agent work: the Jinja template engine (tool calls, thinking), several slots
 * over one unified KV cache (main agent, subagents and side requests each keep a warm prefix), a RAM
 * prompt cache so an evicted prefix comes back without prefill, and the metrics and slots endpoints.
 */
export function agentEngineArgs(engine: SwitchyardConfig["engine"]): string[] {
  return [
    "--jinja",
    "--parallel",
    String(engine.slots),
    "--kv-unified",
    "--cache-ram",
    String(engine.cacheRamMiB),
    "--ctx-size",
    String(engine.contextSize),
    "--metrics",
    "--slots",
    "--no-webui",
    ...engine.extraArgs,
  ];
}
