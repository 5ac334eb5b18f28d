import { z } from "zod";
import { isPrivateHost } from "../../util/private-host.js";
import { FLEET_ROUTER_KINDS } from "../openai-compatible/fleet-router.js";
import { OpenAICompatibleBackend } from "../openai-compatible/openai-compatible-backend.js";
import type { OpenAIServerFlavor } from "../openai-compatible/openai-server-compat.js";
import {
  type BackendCapabilities,
  type BackendDiscovery,
  type BackendKindEntry,
  backendSchema,
  keyOf,
  keySettings,
  type ProbedServer,
  serverRoot,
  upstreamTimeouts,
} from "./backend-kind.js";

const settings = {
  ...keySettings,
  /** Models this backend serves, when it cannot list them itself. */
  models: z.array(z.string()).optional(),
  /**
   * The server cannot read tool calls (SGLang without `--tool-call-parser` passes them on as text): tools,
   * calls and results go as text. vLLM without its tool parser says so, and is found out by itself.
   */
  toolsAsText: z.boolean().optional(),
};

/** Settings of servers that render with the model's HF template (vLLM, SGLang). */
const templateSettings = {
  ...settings,
  /** Extra chat_template_kwargs every request gets (e.g. `{"preserve_thinking": true}`). */
  chatTemplateKwargs: z.record(z.string(), z.unknown()).optional(),
};

/**
 * A fleet router in front of many engines (src/backends/openai-compatible/fleet-router.ts): Switchyard
 * sends it the session hint it documents and leaves placement to it.
 */
const fleetRouterSchema = z
  .object({
    kind: z.enum(FLEET_ROUTER_KINDS),
    /** The vLLM production-stack router's `--session-key` header (default `x-user-id`). */
    sessionHeader: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "sessionHeader must be an HTTP header name")
      .optional(),
  })
  .strict()
  .refine((router) => router.sessionHeader === undefined || router.kind === "vllm-production-stack", {
    message: "sessionHeader is a setting of the vllm-production-stack router only (the others' hints are fixed)",
  });

const schema = backendSchema("openai-compatible", {
  ...settings,
  fleetRouter: fleetRouterSchema.optional(),
  /**
   * A server on this machine or the LAN (LM Studio, llamafile, llama-swap, LocalAI, mlx-lm, …): no price
   * per token, its prefix cache kept warm, and a prefill deadline instead of a cloud's headers timeout.
   */
  local: z.boolean().optional(),
});

/**
 * An OpenAI models list (`{"data": [{"id": …}, …]}`) at `/v1/models`, the one endpoint every
 * OpenAI-compatible server has (OpenAI's API reference, "List models").
 */
const isModelsList = (body: unknown) => {
  const data = (body as { data?: unknown } | undefined)?.data;
  return Array.isArray(data) && data.every((model) => typeof (model as { id?: unknown })?.id === "string");
};

export const openAICompatibleKind: BackendKindEntry<"openai-compatible", typeof schema> = {
  kind: "openai-compatible",
  schema,
  create: (config) =>
    new OpenAICompatibleBackend({
      name: config.name,
      baseUrl: config.url,
      apiKey: keyOf(config),
      models: config.models,
      fleetRouter: config.fleetRouter,
      local: config.local,
      ...(config.toolsAsText ? { compat: { toolsAsText: true } } : {}),
      ...upstreamTimeouts(config),
    }),
  apiKey: (config) => keyOf(config),
  // Any other server on this machine or the LAN that lists models as OpenAI does (LM Studio on 1234).
  discovery: {
    describe: "another OpenAI-compatible server on this machine or the LAN (GET /v1/models)",
    fallback: true,
    answers: async (server) => isPrivateHost(server.root) && isModelsList(await server.json("/v1/models")),
    configFor: (url) => ({ url: `${serverRoot(url)}/v1`, local: true }),
    wellKnownUrls: ["http://127.0.0.1:1234"],
  },
  capabilities: {
    label: "OpenAI-compatible (NVIDIA NIM, OpenRouter, any `/v1/chat/completions`)",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "when-sent",
    exactCounts: false,
  },
  // OpenAI-style APIs refuse prompt + max_tokens over the window (a 400).
  clampPromptSizing: "count",
};

/**
 * A local OpenAI-style server (vLLM, SGLang): its URL with or without `/v1`, and `chat_template_kwargs`
 * from the config on top of its own compat data.
 */
export function templateServerKind<const Kind extends Exclude<OpenAIServerFlavor, "openai-compatible">>(
  kind: Kind,
  capabilities: BackendCapabilities,
  discovery: BackendDiscovery,
) {
  const schema = backendSchema(kind, templateSettings);
  const entry: BackendKindEntry<Kind, typeof schema> = {
    kind,
    schema,
    create: (config) =>
      new OpenAICompatibleBackend({
        name: config.name,
        baseUrl: `${serverRoot(config.url)}/v1`,
        apiKey: keyOf(config),
        models: config.models,
        flavor: kind,
        compat: {
          ...(config.chatTemplateKwargs ? { templateKwargs: config.chatTemplateKwargs } : {}),
          ...(config.toolsAsText ? { toolsAsText: true } : {}),
        },
        ...upstreamTimeouts(config),
      }),
    apiKey: (config) => keyOf(config),
    capabilities,
    // Both refuse prompt + max_tokens over the window (a 400), so the prompt is counted.
    clampPromptSizing: "count",
    discovery,
  };
  return entry;
}

/**
 * vLLM and SGLang list their models with `owned_by: "vllm"` / `"sglang"` (their ModelCard defaults, in
 * each project's `entrypoints/openai/protocol.py`).
 */
export const ownsItsModels = (owner: string) => async (server: ProbedServer) => {
  const models = (await server.json("/v1/models")) as { data?: Array<{ owned_by?: string }> } | undefined;
  return models?.data?.some((model) => model.owned_by === owner) ?? false;
};
