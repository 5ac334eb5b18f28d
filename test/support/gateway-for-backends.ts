import { configSchema } from "../../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../../src/gateway/start-switchyard.js";

/** Switchyard in this process on a free loopback port, in front of the configured backends only (no engine, no turn file). */
export function startGatewayFor(backends: Array<Record<string, unknown>>): Promise<RunningSwitchyard> {
  return startSwitchyard({
    config: configSchema.parse({ backends, telemetry: { turnsFile: null } }),
    host: "127.0.0.1",
    port: 0,
    probeLocal: false,
  });
}
