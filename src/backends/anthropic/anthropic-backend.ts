import type { Dispatcher } from "undici";
import type { CanonicalEvent, CanonicalRequest } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import type { Backend, BackendHealth, StreamOptions, TokenCount } from "../backend.js";
import { reportTurnFacts } from "../report-turn-facts.js";
import { closeUpstreamPool, cloudDispatcher } from "../upstream-pool.js";
import { requestUpstream, upstreamFailure, upstreamJson } from "../upstream-request.js";
import { readAnthropicStream } from "./read-anthropic-stream.js";
import { toAnthropicBody } from "./to-anthropic-body.js";

export interface AnthropicBackendOptions {
  name: string;
  baseUrl?: string;
  apiKey: string | undefined;
  /** Models to list when the API cannot be asked (no key yet). */
  models?: string[];
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Headers from the client that Anthropic's API understands and we pass through. */
const PASSED_HEADERS = ["anthropic-version", "anthropic-beta"];

/** Anthropic's Messages API (the cloud, or any server speaking its protocol). */
export class AnthropicBackend implements Backend {
  readonly kind = "anthropic" as const;
  readonly local = false;
  readonly name: string;
  readonly baseUrl: string;
  private readonly pool: Dispatcher;

  constructor(private readonly options: AnthropicBackendOptions) {
    this.name = options.name;
    this.baseUrl = (options.baseUrl ?? "https://api.anthropic.com").replace(/\/+$/, "");
    this.pool = cloudDispatcher(this.baseUrl, options, {
      connections: 32,
      keepAliveTimeout: 30_000,
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 300_000,
      idleTimeoutMs: 300_000,
    });
  }

  private headers(request?: CanonicalRequest): Record<string, string> {
    if (!this.options.apiKey) {
      throw new SwitchyardError(`${this.name}: no API key (set ANTHROPIC_API_KEY or the backend's apiKeyEnv)`, {
        kind: "authentication",
        code: "missing_upstream_key",
      });
    }
    const headers: Record<string, string> = {
      "x-api-key": this.options.apiKey,
      "anthropic-version": "2023-06-01",
    };
    for (const name of PASSED_HEADERS) {
      const value = request?.client.protocol === "anthropic" ? request.client.headers[name] : undefined;
      if (value) headers[name] = value;
    }
    return headers;
  }

  private call(
    method: "GET" | "POST",
    path: string,
    headers: Record<string, string>,
    body: unknown,
    signal?: AbortSignal,
  ) {
    return requestUpstream(
      this.pool,
      { method, path, headers, body, signal: signal ?? AbortSignal.timeout(30_000) },
      this,
    );
  }

  async *stream(request: CanonicalRequest, options: StreamOptions): AsyncGenerator<CanonicalEvent> {
    const response = await this.call(
      "POST",
      "/v1/messages",
      this.headers(request),
      toAnthropicBody(request, options.model),
      options.signal,
    );
    if (response.status >= 400) {
      throw await upstreamFailure(response, this.name);
    }
    // Its one fact about a turn is the rate-limit headers: on a refusal upstreamFailure put them on the
    // error; on an answer they go on message_start.
    const events = readAnthropicStream(response.body, { backendName: this.name, model: request.model });
    yield* response.rateLimit ? reportTurnFacts(events, { rateLimit: response.rateLimit }) : events;
  }

  async countTokens(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): Promise<TokenCount> {
    const { max_tokens: _max, stream: _stream, ...body } = toAnthropicBody(request, options.model);
    const response = await this.call("POST", "/v1/messages/count_tokens", this.headers(request), body, options.signal);
    return { tokens: (await upstreamJson<{ input_tokens: number }>(response, this.name)).input_tokens, exact: true };
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    if (this.options.models) return this.options.models;
    const response = await this.call("GET", "/v1/models?limit=100", this.headers(), undefined, signal);
    const models = await upstreamJson<{ data?: Array<{ id: string }> }>(response, this.name);
    return (models.data ?? []).map((model) => model.id);
  }

  async health(signal?: AbortSignal): Promise<BackendHealth> {
    try {
      await this.listModels(signal ?? AbortSignal.timeout(5_000));
      return { ok: true, detail: "ok" };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async contextSize(): Promise<number | undefined> {
    return 200_000;
  }

  async close(): Promise<void> {
    await closeUpstreamPool(this.pool);
  }
}
