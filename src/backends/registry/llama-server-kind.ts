import { z } from "zod";
import { LLAMA_API_KEY, LlamaServerBackend } from "../llama-server/llama-server-backend.js";
import { type BackendKindEntry, backendSchema, keyOf, keySettings, upstreamTimeouts } from "./backend-kind.js";

const schema = backendSchema("llama-server", {
  /** The server runs with --slot-save-path: save a lane's KV cache when it loses its slot, restore it on return. */
  slotSave: z.boolean().optional(),
  /** The key of a server started with --api-key; by default LLAMA_API_KEY, the variable llama-server reads for it. */
  ...keySettings,
});

const apiKey = (config: z.infer<typeof schema>) => keyOf(config, LLAMA_API_KEY);

export const llamaServerKind: BackendKindEntry<"llama-server", typeof schema> = {
  kind: "llama-server",
  schema,
  create: (config, context) =>
    new LlamaServerBackend({
      name: config.name,
      baseUrl: config.url,
      apiKey: apiKey(config),
      slotSave: config.slotSave,
      thinkingPolicy: context.thinkingPolicy,
      slotFiles: context.launched?.slotFiles,
      compat: context.launched?.compat,
      idleSlotMs: context.launched?.idleSlotMs,
      cacheRamBytes: context.launched?.cacheRamBytes,
      slotBook: context.slotBook,
      ...upstreamTimeouts(config),
    }),
  apiKey,
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
      if (props !== undefined && (props.build_info !== undefined || props.total_slots !== undefined)) return true;
      // Started with --api-key, it answers /props with a 401 in its own words (server-http.cpp, "Invalid API
      // Key"); still loading its model, with a 503 (server-http.cpp, middleware_server_state).
      const refused = await server.answer("/props");
      const error = (refused?.body as { error?: { message?: unknown; type?: unknown } } | undefined)?.error;
      return (
        (refused?.status === 401 && error?.message === "Invalid API Key" && error.type === "authentication_error") ||
        (refused?.status === 503 && error?.message === "Loading model" && error.type === "unavailable_error")
      );
    },
    wellKnownUrls: ["http://127.0.0.1:8080", "http://127.0.0.1:9931"],
  },
};
