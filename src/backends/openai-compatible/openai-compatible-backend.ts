import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import type { CanonicalEvent, CanonicalRequest } from "../../core/canonical.js";
import type { Backend, BackendHealth, StreamOptions, TokenCount } from "../backend.js";
import { DEFAULT_LLAMA_SERVER_COMPAT, type LlamaServerCompat } from "../llama-server/llama-server-compat.js";
import { toChatCompletionsBody } from "../llama-server/to-chat-completions.js";
import { mapUpstreamError } from "../openai/map-upstream-error.js";
import { readChatCompletionsStream } from "../openai/read-chat-completions-stream.js";
import { requestUpstream } from "../upstream-request.js";

export interface OpenAICompatibleOptions {
  name: string;
  /** The API root including its version segment, e.g. `https://integrate.api.nvidia.com/v1`; paths are appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Models to list instead of asking `GET {baseUrl}/models`. */
  models?: string[];
  /** True for a server on this machine (default false: a hosted API). */
  local?: boolean;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * Hosted OpenAI Chat Completions APIs take system messages anywhere and accept image parts, so the
 * conversion keeps mid-conversation system messages in place and sends images as `image_url`.
 */
export const OPENAI_COMPATIBLE_COMPAT: LlamaServerCompat = {
  ...DEFAULT_LLAMA_SERVER_COMPAT,
  midConversationSystem: "native",
  vision: true,
};

/** Fields `toChatCompletionsBody` adds for llama-server that other servers reject or ignore. */
const LLAMA_CPP_ONLY_FIELDS = ["cache_prompt", "timings_per_token", "id_slot", "chat_template_kwargs"] as const;

/** The chat completions body for a generic OpenAI-compatible server: the llama-server body minus llama.cpp fields. */
export function toOpenAICompatibleBody(request: CanonicalRequest, model: string): Record<string, unknown> {
  const body = toChatCompletionsBody(request, model, OPENAI_COMPATIBLE_COMPAT);
  for (const field of LLAMA_CPP_ONLY_FIELDS) delete body[field];
  return body;
}

/**
 * Any server speaking OpenAI's Chat Completions protocol (NVIDIA NIM, OpenRouter, vLLM, OpenAI itself):
 * `POST {baseUrl}/chat/completions` streamed, `GET {baseUrl}/models`. Keep-alive pool, timeouts, aborts.
 */
export class OpenAICompatibleBackend implements Backend {
  readonly kind = "openai-compatible" as const;
  readonly name: string;
  readonly baseUrl: string;
  readonly local: boolean;
  private readonly basePath: string;
  private readonly pool: Pool;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.local = options.local ?? false;
    const url = new URL(this.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.pool = new Pool(url.origin, {
      connections: 32,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      headersTimeout: options.headersTimeoutMs ?? 300_000,
      bodyTimeout: options.idleTimeoutMs ?? 300_000,
    });
  }

  private headers(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  private call(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined) {
    return requestUpstream(
      this.pool,
      { method, path: `${this.basePath}${path}`, headers: this.headers(), body, signal },
      this,
    );
  }

  async *stream(request: CanonicalRequest, options: StreamOptions): AsyncGenerator<CanonicalEvent> {
    const body = toOpenAICompatibleBody(request, options.model);
    const response = await this.call("POST", "/chat/completions", body, options.signal);
    if (response.status >= 400) {
      throw mapUpstreamError(response.status, await response.text(), this.name, response.retryAfter);
    }
    yield* readChatCompletionsStream(response.body, {
      id: `msg_${randomUUID().replaceAll("-", "")}`,
      model: request.model,
      backendName: this.name,
    });
  }

  /**
   * An ESTIMATE, labelled `exact: false`: a generic OpenAI-compatible API has no tokenizer endpoint, so
   * this is the JSON length of the system prompt, messages and tools over 4 (about 4 characters a token).
   */
  async countTokens(request: CanonicalRequest, _options: { model: string; signal: AbortSignal }): Promise<TokenCount> {
    const text = JSON.stringify({ system: request.system, messages: request.messages, tools: request.tools });
    return { tokens: Math.ceil(text.length / 4), exact: false };
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    if (this.options.models) return [...this.options.models];
    const response = await this.call("GET", "/models", undefined, signal ?? AbortSignal.timeout(30_000));
    const text = await response.text();
    if (response.status >= 400) throw mapUpstreamError(response.status, text, this.name, response.retryAfter);
    return ((JSON.parse(text) as { data?: Array<{ id: string }> }).data ?? []).map((model) => model.id);
  }

  /** Through listModels; with a configured model list this only says the backend is configured. */
  async health(signal?: AbortSignal): Promise<BackendHealth> {
    try {
      await this.listModels(signal ?? AbortSignal.timeout(5_000));
      return { ok: true, detail: "ok" };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async contextSize(): Promise<number | undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
