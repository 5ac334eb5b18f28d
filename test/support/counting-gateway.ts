import { configSchema } from "../../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../../src/gateway/start-switchyard.js";
import {
  DOCUMENTED_MODELS_LIST,
  type OpenAIProtocolServer,
  startOpenAIProtocolServer,
} from "./openai-protocol-server.js";

export const COUNTED_MODEL = DOCUMENTED_MODELS_LIST.data[0].id;

/**
 * Switchyard on a free loopback port in front of one loopback OpenAI-protocol backend that records every
 * request it gets (`upstream.requests`), lists the documented models and answers generations with a
 * recorded stream. Turn records stay
 * in memory.
 */
export async function startCountingGateway(config: Record<string, unknown> = {}): Promise<{
  gateway: RunningSwitchyard;
  upstream: OpenAIProtocolServer;
  /** Generation requests the backend has received. */
  generations: () => number;
  close: () => Promise<void>;
}> {
  // No model list in the config: the backend's health check is a real models call, which a /health
  // that asked backends live would make.
  const upstream = await startOpenAIProtocolServer({
    script: (request) =>
      request.path.startsWith("/v1/models")
        ? { status: 200, json: DOCUMENTED_MODELS_LIST }
        : { status: 200, sse: "text-stream" },
  });
  const gateway = await startSwitchyard({
    config: configSchema.parse({
      telemetry: { turnsFile: null },
      store: { path: null },
      backends: [{ name: "counted", type: "openai-compatible", url: `${upstream.url}/v1` }],
      ...config,
    }),
    host: "127.0.0.1",
    port: 0,
    probeLocal: false,
  });
  // The monitor's first check runs at start; wait for it so it is not counted against a later request.
  await gateway.health.check("counted");
  return {
    gateway,
    upstream,
    generations: () => upstream.requests.filter((request) => request.method === "POST").length,
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
}

export type CountingGateway = Awaited<ReturnType<typeof startCountingGateway>>;

/** Runs `run` with a counting gateway, closing both servers afterwards whatever happens. */
export async function withCountingGateway(
  config: Record<string, unknown>,
  run: (counting: CountingGateway) => Promise<void>,
): Promise<void> {
  const counting = await startCountingGateway(config);
  try {
    await run(counting);
  } finally {
    await counting.close();
  }
}

/** A minimal Anthropic Messages request for the counted model. */
export const countedChat = { model: COUNTED_MODEL, max_tokens: 16, messages: [{ role: "user", content: "hi" }] };
