import { z } from "zod";
import { LlamaServerBackend } from "../llama-server/llama-server-backend.js";
import { type BackendKindEntry, backendSchema, upstreamTimeouts } from "./backend-kind.js";

const schema = backendSchema("llama-server", {
  /** The server runs with --slot-save-path: save a lane's KV cache when it loses its slot, restore it on return. */
  slotSave: z.boolean().optional(),
});

export const llamaServerKind: BackendKindEntry<"llama-server", typeof schema> = {
  kind: "llama-server",
  schema,
  create: (config, context) =>
    new LlamaServerBackend({
      name: config.name,
      baseUrl: config.url,
      slotSave: config.slotSave,
      thinkingPolicy: context.thinkingPolicy,
      slotFiles: context.launched?.slotFiles,
      compat: context.launched?.compat,
      slotBook: context.slotBook,
      ...upstreamTimeouts(config),
    }),
  capabilities: {
    label: "llama.cpp `llama-server`",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "always",
    exactCounts: true,
  },
  // It stops at the window's end with `finish_reason: length` and never refuses.
  clampPromptSizing: "none",
  discovery: {
    describe: "llama-server (GET /props)",
    answers: async (server) => {
      const props = (await server.json("/props")) as { build_info?: string; total_slots?: number } | undefined;
      return props !== undefined && (props.build_info !== undefined || props.total_slots !== undefined);
    },
    wellKnownUrls: ["http://127.0.0.1:8080", "http://127.0.0.1:9931"],
  },
};
