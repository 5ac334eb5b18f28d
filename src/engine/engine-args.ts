import type { SwitchyardConfig } from "../config/config-schema.js";

/**
 * llama-server flags for agent work: the Jinja template engine (tool calls, thinking), several slots
 * over one unified KV cache (main agent, subagents and side requests each keep a warm prefix), a RAM
 * prompt cache so an evicted prefix comes back without prefill, and the metrics and slots endpoints.
 * `--no-cache-idle-slots`: with a unified KV cache, llama-server otherwise moves every idle slot to the
 * RAM cache and clears it whenever another slot starts a task; measured here, a lane pinned to its slot
 * then found nothing to reuse after any other lane's turn.
 */
export function agentEngineArgs(engine: SwitchyardConfig["engine"]): string[] {
  return [
    "--jinja",
    "--parallel",
    String(engine.slots),
    "--kv-unified",
    "--cache-ram",
    String(engine.cacheRamMiB),
    "--no-cache-idle-slots",
    "--ctx-size",
    String(engine.contextSize),
    "--metrics",
    "--slots",
    "--no-webui",
    ...engine.extraArgs,
  ];
}
