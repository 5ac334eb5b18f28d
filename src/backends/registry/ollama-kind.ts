import { z } from "zod";
import { OllamaBackend } from "../ollama/ollama-backend.js";
import { type BackendKindEntry, backendSchema, upstreamTimeouts } from "./backend-kind.js";

const schema = backendSchema("ollama", {
  /** `options.num_ctx` for every request (default: the model's Modelfile num_ctx, else the server's). */
  numCtx: z.number().int().min(256).optional(),
  /** `keep_alive`, a duration ("60m") or seconds (negative: stay loaded). Default "60m". */
  keepAlive: z
    .union([
      z.string().regex(/^-?(\d+|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/, "a duration such as 60m or 1h30m"),
      z.number(),
    ])
    .optional(),
});

export const ollamaKind: BackendKindEntry<"ollama", typeof schema> = {
  kind: "ollama",
  schema,
  create: (config) =>
    new OllamaBackend({
      name: config.name,
      baseUrl: config.url,
      numCtx: config.numCtx,
      keepAlive: config.keepAlive,
      ...upstreamTimeouts(config),
    }),
  capabilities: {
    label: "Ollama (native `/api/chat`)",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "never",
    // Exact only with a readable GGUF and an Ollama that renders prompts (`_debug_render_only`).
    exactCounts: false,
  },
  // Ollama does not refuse, but `num_predict` still bounds what is left; its own count is a real
  // /api/chat call, so the free estimate is used.
  clampPromptSizing: "estimate",
  discovery: {
    describe: "Ollama (GET /api/version)",
    answers: async (server) => Boolean(await server.json("/api/version")),
    wellKnownUrls: ["http://127.0.0.1:11434"],
  },
};
