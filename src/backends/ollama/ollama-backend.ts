import { randomUUID } from "node:crypto";
import type { Pool } from "undici";
import type { CanonicalEvent, CanonicalRequest } from "../../core/canonical.js";
import type { TurnFacts } from "../../core/turn-facts.js";
import { TOOLS_AS_TEXT_OUTPUT } from "../../families/tools-as-text.js";
import type { GgufBpeTokenizer } from "../../tokenize/gguf-bpe-tokenizer.js";
import type { Backend, BackendHealth, StreamOptions, TokenCount } from "../backend.js";
import {
  type DeadlineTimers,
  LOCAL_HEADERS_TIMEOUT_MS,
  measuringPrefill,
  PrefillDeadline,
} from "../prefill-deadline.js";
import { reportTurnFacts } from "../report-turn-facts.js";
import { closeUpstreamPool, preconnect, upstreamPool } from "../upstream-pool.js";
import { generationRequest, requestUpstream, upstreamJson } from "../upstream-request.js";
import { estimateOllamaTokens } from "./estimate-ollama-tokens.js";
import { mapOllamaError } from "./map-ollama-error.js";
import { compatFromShow, contextFromShow, type OllamaCompat, type OllamaShow } from "./ollama-compat.js";
import { renderedTemplateOf, renderOnlyBody, tokenizerFor } from "./ollama-token-counter.js";
import { readOllamaStream } from "./read-ollama-stream.js";
import { type OllamaMessage, toOllamaChatBody } from "./to-ollama-chat.js";

/** Long enough that an agent's pauses (a human reading, a slow tool) do not unload the model. */
export const DEFAULT_KEEP_ALIVE = "60m";

export interface OllamaOptions {
  name: string;
  /** The server root, e.g. `http://127.0.0.1:11434` (paths `/api/...` are appended). */
  baseUrl: string;
  /**
   * `options.num_ctx` for every request. Unset: the model's Modelfile `num_ctx` if it has one (read once
   * from /api/show), else nothing, which leaves the server's default. Either way it never changes for a
   * model while the backend runs: a different num_ctx makes Ollama reload the model and lose its cache.
   */
  numCtx?: number;
  /** `keep_alive` for every request (a duration such as "60m", or seconds; negative keeps it loaded). */
  keepAlive?: string | number;
  /** Overrides for the compat flags detected from /api/show. */
  compat?: Partial<OllamaCompat>;
  /** The least the prefill deadline allows for a generation (prefill-deadline.ts); the whole timeout for other calls. */
  headersTimeoutMs?: number;
  /** The prefill deadline's clock (tests). */
  timers?: DeadlineTimers;
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

interface ModelProfile {
  compat: OllamaCompat;
  /** Decided once per model, then constant. */
  numCtx: number | undefined;
  /** The model's tokenizer, read from its GGUF (when Ollama's model file is readable here) on first use. */
  tokenizer: () => Promise<GgufBpeTokenizer | undefined>;
}

/**
 * Ollama over its native API: `POST /api/chat` streamed as NDJSON, `GET /api/tags` for models,
 * `POST /api/show` once per model for capabilities and context, `GET /api/version` for health.
 * Keep-alive pool, timeouts, aborts.
 */
export class OllamaBackend implements Backend {
  readonly kind = "ollama" as const;
  readonly local = true;
  readonly name: string;
  readonly baseUrl: string;
  private readonly pool: Pool;
  private readonly keepAlive: string | number;
  private readonly profiles = new Map<string, Promise<ModelProfile>>();
  private readonly prefill: PrefillDeadline;
  /** Whether the server answers `_debug_render_only` (unknown until asked; an old one ran the model instead). */
  private rendersOnly: boolean | undefined;

  constructor(private readonly options: OllamaOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.keepAlive = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
    this.pool = upstreamPool(this.baseUrl, options, {
      connections: 32,
      // Go's net/http server keeps idle connections open far longer; this only bounds our own pool.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
      connectTimeoutMs: 5_000,
      // The first request loads the model and prefills the prompt: minutes on a CPU for a long prompt.
      headersTimeoutMs: LOCAL_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: 300_000,
    });
    this.prefill = new PrefillDeadline(options.headersTimeoutMs ?? LOCAL_HEADERS_TIMEOUT_MS, options.timers);
  }

  private call(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined) {
    return requestUpstream(this.pool, { method, path, headers: {}, body, signal }, this);
  }

  private async json<T>(method: "GET" | "POST", path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.call(method, path, body, signal ?? AbortSignal.timeout(30_000));
    return upstreamJson<T>(response, this.name, (failed, text, name) =>
      mapOllamaError(failed.status, text, name, { retryAfter: failed.retryAfter }),
    );
  }

  /** Capabilities and num_ctx of a model, asked once; a failed lookup is asked again next time. */
  profile(model: string, signal?: AbortSignal): Promise<ModelProfile> {
    let profile = this.profiles.get(model);
    if (!profile) {
      profile = this.json<OllamaShow>("POST", "/api/show", { model }, signal).then((show) => {
        // Read only when counting: parsing a vocabulary takes a moment the first answer should not wait for.
        let tokenizer: Promise<GgufBpeTokenizer | undefined> | undefined;
        return {
          compat: { ...compatFromShow(show), ...this.options.compat },
          numCtx: this.options.numCtx ?? contextFromShow(show).modelfile,
          tokenizer: () => {
            tokenizer ??= tokenizerFor(show);
            return tokenizer;
          },
        };
      });
      profile.catch(() => this.profiles.delete(model));
      this.profiles.set(model, profile);
    }
    return profile;
  }

  stream(request: CanonicalRequest, options: StreamOptions): AsyncIterable<CanonicalEvent> {
    const facts: TurnFacts = {};
    return reportTurnFacts(() => this.open(request, options, facts), facts);
  }

  /** Sends the generation and returns its events. */
  private async open(
    request: CanonicalRequest,
    options: StreamOptions,
    facts: TurnFacts,
  ): Promise<AsyncIterable<CanonicalEvent>> {
    const { compat, numCtx } = await this.profile(options.model, options.signal);
    const body = toOllamaChatBody(request, options.model, compat, { numCtx, keepAlive: this.keepAlive });
    const response = await requestUpstream(
      this.pool,
      generationRequest("/api/chat", body, options.signal, this.prefill, facts),
      this,
    );
    if (response.status >= 400) {
      throw mapOllamaError(response.status, await response.text(), this.name, {
        numCtx,
        promptTokens: estimateOllamaTokens(body),
        retryAfter: response.retryAfter,
      });
    }
    const events = readOllamaStream(response.body, {
      id: `msg_${randomUUID().replaceAll("-", "")}`,
      model: request.model,
      backendName: this.name,
      numCtx,
      ...(compat.toolsAsText ? { toolsAsText: TOOLS_AS_TEXT_OUTPUT } : {}),
    });
    return measuringPrefill(events, this.prefill);
  }

  /**
   * Exact when the model's GGUF is readable here and Ollama renders the prompt for us
   * (`_debug_render_only`): Ollama's own rendering, counted with the model's own vocabulary. Otherwise
   * (no readable model file, a vocabulary we do not count, images, an Ollama without the flag) an
   * estimate, labelled `exact: false`; see estimate-ollama-tokens.ts.
   */
  async countTokens(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): Promise<TokenCount> {
    const profile = await this.profile(options.model, options.signal);
    const { compat, numCtx } = profile;
    const body = toOllamaChatBody(request, options.model, compat, { numCtx, keepAlive: this.keepAlive });
    const hasImages = (body.messages as OllamaMessage[]).some((message) => message.images?.length);
    const tokenizer = hasImages || this.rendersOnly === false ? undefined : await profile.tokenizer();
    if (tokenizer) {
      const answer = await this.json<unknown>("POST", "/api/chat", renderOnlyBody(body), options.signal);
      const rendered = renderedTemplateOf(answer);
      this.rendersOnly = rendered !== undefined;
      if (rendered !== undefined) {
        return { tokens: tokenizer.encode(rendered, { addSpecial: true, parseSpecial: true }).length, exact: true };
      }
    }
    return { tokens: estimateOllamaTokens(body), exact: false };
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const tags = await this.json<{ models?: Array<{ name?: string; model?: string }> }>(
      "GET",
      "/api/tags",
      undefined,
      signal,
    );
    return (tags.models ?? []).flatMap((model) => {
      const name = model.name ?? model.model;
      return name ? [name] : [];
    });
  }

  /**
   * The configured num_ctx, else the Modelfile's for `model` (or the first model listed); undefined means
   * the server's default.
   */
  async contextSize(signal?: AbortSignal, model?: string): Promise<number | undefined> {
    if (this.options.numCtx !== undefined) return this.options.numCtx;
    const name = model ?? (await this.listModels(signal))[0];
    return name === undefined ? undefined : (await this.profile(name, signal)).numCtx;
  }

  async health(signal?: AbortSignal): Promise<BackendHealth> {
    try {
      const version = await this.json<{ version?: string }>(
        "GET",
        "/api/version",
        undefined,
        signal ?? AbortSignal.timeout(5_000),
      );
      return { ok: true, detail: `ollama ${version.version ?? "(version unknown)"}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  preconnect(): void {
    preconnect(this.pool);
  }

  async close(): Promise<void> {
    await closeUpstreamPool(this.pool);
  }
}
