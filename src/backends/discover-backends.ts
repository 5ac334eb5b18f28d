import type { BackendConfig } from "../config/config-schema.js";
import { AnthropicBackend } from "./anthropic/anthropic-backend.js";
import type { Backend } from "./backend.js";
import { LlamaServerBackend } from "./llama-server/llama-server-backend.js";
import { OllamaBackend } from "./ollama/ollama-backend.js";
import { OpenAICompatibleBackend } from "./openai-compatible/openai-compatible-backend.js";

/** Well-known local servers probed when no backend is configured. */
export const WELL_KNOWN_LOCAL_SERVERS = [
  { url: "http://127.0.0.1:8080", kind: "llama-server" },
  { url: "http://127.0.0.1:9931", kind: "llama-server" },
  { url: "http://127.0.0.1:11434", kind: "ollama" },
  { url: "http://127.0.0.1:8000", kind: "vllm" },
  { url: "http://127.0.0.1:30000", kind: "sglang" },
] as const;

export type ServerKind = "llama-server" | "ollama" | "vllm" | "sglang";

async function answers(url: string, timeoutMs = 800): Promise<unknown | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * What speaks at `url` (its root, or its `/v1`): llama-server answers /props with a build, Ollama
 * /api/version; vLLM and SGLang list their models with `owned_by: "vllm"` / `"sglang"` (their ModelCard
 * defaults, in each project's `entrypoints/openai/protocol.py`).
 */
export async function identifyServer(url: string): Promise<ServerKind | undefined> {
  const base = serverRoot(url);
  const props = (await answers(`${base}/props`)) as { build_info?: string; total_slots?: number } | undefined;
  if (props && (props.build_info !== undefined || props.total_slots !== undefined)) return "llama-server";
  if (await answers(`${base}/api/version`)) return "ollama";
  const models = (await answers(`${base}/v1/models`)) as { data?: Array<{ owned_by?: string }> } | undefined;
  if (models?.data?.some((model) => model.owned_by === "vllm")) return "vllm";
  if (models?.data?.some((model) => model.owned_by === "sglang")) return "sglang";
  return undefined;
}

/** The config's `timeouts` as the backends' options; absent ones keep each backend's defaults. */
function upstreamTimeouts(config: BackendConfig) {
  return {
    connectTimeoutMs: config.timeouts?.connectMs,
    headersTimeoutMs: config.timeouts?.headersMs,
    idleTimeoutMs: config.timeouts?.idleMs,
  };
}

/** A server's root URL from its root or its OpenAI `/v1` URL. */
export const serverRoot = (url: string) => url.replace(/\/+$/, "").replace(/\/v1$/, "");

/** A backend's key: `apiKey`, else the variable `apiKeyEnv` names, else ANTHROPIC_API_KEY for Anthropic. */
export function backendApiKey(config: BackendConfig): string | undefined {
  const variable = config.apiKeyEnv ?? (config.type === "anthropic" ? "ANTHROPIC_API_KEY" : undefined);
  return config.apiKey ?? (variable ? process.env[variable] : undefined);
}

export function createBackend(
  config: BackendConfig,
  thinkingPolicy: "client" | "after-tool-error" = "client",
): Backend {
  switch (config.type) {
    case "llama-server":
      return new LlamaServerBackend({
        name: config.name,
        baseUrl: config.url,
        slotSave: config.slotSave,
        thinkingPolicy,
        ...upstreamTimeouts(config),
      });
    case "openai-compatible":
    case "vllm":
    case "sglang":
      return new OpenAICompatibleBackend({
        name: config.name,
        baseUrl: config.type === "openai-compatible" ? config.url : `${serverRoot(config.url)}/v1`,
        apiKey: backendApiKey(config),
        models: config.models,
        flavor: config.type,
        compat: config.chatTemplateKwargs ? { templateKwargs: config.chatTemplateKwargs } : undefined,
        ...upstreamTimeouts(config),
      });
    case "ollama":
      return new OllamaBackend({
        name: config.name,
        baseUrl: config.url,
        numCtx: config.numCtx,
        keepAlive: config.keepAlive,
        ...upstreamTimeouts(config),
      });
    case "anthropic":
      return new AnthropicBackend({
        name: config.name,
        baseUrl: config.url,
        apiKey: backendApiKey(config),
        models: config.models,
        ...upstreamTimeouts(config),
      });
  }
}
