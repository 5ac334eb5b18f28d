import { z } from "zod";
import { AnthropicBackend } from "../anthropic/anthropic-backend.js";
import { type BackendKindEntry, backendSchema, keyOf, keySettings, upstreamTimeouts } from "./backend-kind.js";

const schema = backendSchema("anthropic", {
  ...keySettings,
  /** Models to list when the API cannot be asked (no key yet). */
  models: z.array(z.string()).optional(),
});

const apiKey = (config: z.infer<typeof schema>) => keyOf(config, "ANTHROPIC_API_KEY");

export const anthropicKind: BackendKindEntry<"anthropic", typeof schema> = {
  kind: "anthropic",
  schema,
  create: (config) =>
    new AnthropicBackend({
      name: config.name,
      baseUrl: config.url,
      apiKey: apiKey(config),
      models: config.models,
      ...upstreamTimeouts(config),
    }),
  apiKey,
  capabilities: {
    label: "Anthropic API",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "when-sent",
    exactCounts: true,
  },
  // Anthropic sizes its own output.
  clampPromptSizing: "none",
  discovery: { describe: "Anthropic (an anthropic.com URL)", urlPattern: /anthropic\.com/ },
};
