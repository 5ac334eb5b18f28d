import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { configSchema } from "../../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../../src/gateway/start-switchyard.js";

/**
 * Switchyard in this process, on a free loopback port, in front of a real llama-server serving the
 * test model (Qwen3.5 template, unless `modelFile` names another). Turn lines are kept in `log`
 * instead of printed.
 */
export async function startTestGateway(
  config: Record<string, unknown> = {},
  options: { modelFile?: string } = {},
): Promise<RunningSwitchyard & { log: string[] }> {
  const log: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-turns-"));
  const running = await startSwitchyard({
    config: configSchema.parse({
      engine: { slots: 4, contextSize: 65536, cacheRamMiB: 2048 },
      telemetry: { turnsFile: join(scratch, "turns.jsonl") },
      store: { path: join(scratch, "switchyard.db") },
      ...config,
    }),
    host: "127.0.0.1",
    port: 0,
    modelFile: options.modelFile ?? inject("testModel"),
    engineBinary: async () => inject("llamaServer"),
    probeLocal: false,
    // Slot files (a new session's copy of another's slot, slotSave) stay in the test's own directory.
    slotDirectory: join(scratch, "slots"),
    say: (line) => log.push(line),
  });
  return Object.assign(running, { log });
}

/**
 * One test gateway for a `describe` block: started before its tests, closed after. Returns a getter,
 * since the gateway exists only once `beforeAll` has run.
 */
export function useTestGateway(
  config: Record<string, unknown> = {},
  options: { modelFile?: string } = {},
): () => RunningSwitchyard & { log: string[] } {
  let gateway: (RunningSwitchyard & { log: string[] }) | undefined;
  beforeAll(async () => {
    gateway = await startTestGateway(config, options);
  }, 300_000);
  afterAll(async () => {
    await gateway?.close();
  });
  return () => {
    if (!gateway) throw new Error("the test gateway is not started yet");
    return gateway;
  };
}
