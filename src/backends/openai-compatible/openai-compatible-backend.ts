import { randomUUID } from "node:crypto";
import type { Dispatcher, Pool } from "undici";
import type { CanonicalEvent, CanonicalRequest } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import type { TurnFacts } from "../../core/turn-facts.js";
import { TOOLS_AS_TEXT_OUTPUT } from "../../families/tools-as-text.js";
import { untilAborted } from "../../util/until-aborted.js";
import type { Backend, BackendHealth, StreamOptions, TokenCount } from "../backend.js";
import { mapUpstreamError, upstreamErrorMessage } from "../chat-completions/map-upstream-error.js";
import { completionRoom, parseContextOverflow } from "../chat-completions/parse-context-overflow.js";
import { readChatCompletionsStream } from "../chat-completions/read-chat-completions-stream.js";
import { type DeadlineTimers, measuringPrefill, PrefillDeadline } from "../prefill-deadline.js";
import { reportTurnFacts } from "../report-turn-facts.js";
import { closeUpstreamPool, cloudDispatcher, LOCAL_KEEP_ALIVE, preconnect, upstreamPool } from "../upstream-pool.js";
import { requestUpstream, upstreamFailure } from "../upstream-request.js";
import { FleetRouterAffinity, type FleetRouterConfig } from "./fleet-router.js";
import { OPENAI_SERVER_COMPAT, type OpenAIServerCompat, type OpenAIServerFlavor } from "./openai-server-compat.js";
import { toOpenAICompatibleBody } from "./to-openai-compatible-body.js";
import { readsToolCalls, refusesToolCalls, sglangServerInfo } from "./tool-parser.js";

export interface OpenAICompatibleOptions {
  name: string;
  /** The API root including its version segment, e.g. `https://integrate.api.nvidia.com/v1`; paths are appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Models to list instead of asking `GET {baseUrl}/models`. */
  models?: string[];
  /** Which server it is (default `openai-compatible`, a hosted API); picks its compat data. */
  flavor?: OpenAIServerFlavor;
  /** Overrides of the flavor's compat data (e.g. `templateKwargs: {preserve_thinking: true}`). */
  compat?: Partial<OpenAIServerCompat>;
  /** True for a server on this machine (default: the flavor's; false for a hosted API). */
  local?: boolean;
  /** For a local server's generations the least the prefill deadline allows (prefill-deadline.ts). */
  headersTimeoutMs?: number;
  /** The prefill deadline's clock (tests). */
  timers?: DeadlineTimers;
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * A fleet router in front of many engines (vLLM production stack, SGLang router, llm-d, Dynamo): it
   * gets the session hint it documents on every generation and places the request itself.
   */
  fleetRouter?: FleetRouterConfig;
}

/** What the health detail adds for a server that cannot read tool calls. */
export const TOOLS_AS_TEXT_NOTE =
  "tools go as text, since the server reads no tool calls (start vLLM with --enable-auto-tool-choice --tool-call-parser NAME, SGLang with --tool-call-parser NAME)";

/** The completion room an overflow error states, when the prompt alone fits; vLLM nests the message, SGLang does not. */
function completionRoomOf(errorText: string): number | undefined {
  const error = upstreamErrorMessage(errorText);
  const overflow = error && parseContextOverflow(error.message, error.code);
  return overflow && completionRoom(overflow);
}

/**
 * Any server speaking OpenAI's Chat Completions protocol (NVIDIA NIM, OpenRouter, OpenAI itself, vLLM,
 * SGLang): `POST {baseUrl}/chat/completions` streamed, `GET {baseUrl}/models`, and for vLLM
 * `POST {root}/tokenize` for exact counts. Keep-alive pool, timeouts, aborts.
 */
export class OpenAICompatibleBackend implements Backend {
  readonly kind: OpenAIServerFlavor;
  readonly name: string;
  readonly baseUrl: string;
  readonly local: boolean;
  /** The flavor's compat data and the config's overrides; `toolsAsText` turns on once the server is found to read no tool calls. */
  compat: OpenAIServerCompat;
  private readonly basePath: string;
  private readonly pool: Dispatcher;
  private modelWindow: number | undefined;
  /** Local servers only: a cloud's prefill is fast, and its fixed headers timeout stays. */
  private readonly prefill: PrefillDeadline | undefined;
  private readonly fleetRouter: FleetRouterAffinity | undefined;
  /** SGLang: its server arguments read for a tool parser (readToolParser). */
  private toolParserRead: Promise<void> | undefined;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.name = options.name;
    this.kind = options.flavor ?? "openai-compatible";
    this.compat = { ...OPENAI_SERVER_COMPAT[this.kind], ...options.compat };
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fleetRouter = options.fleetRouter && new FleetRouterAffinity(options.fleetRouter);
    // A fleet router is the team's own engines: no price per token, and a prefix cache worth keeping warm.
    this.local = options.local ?? (this.fleetRouter ? true : this.compat.local);
    const url = new URL(this.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.pool = (this.local ? upstreamPool : cloudDispatcher)(url.origin, options, {
      connections: 32,
      // Hosted APIs keep idle connections far longer than a server on this machine.
      ...(this.local ? LOCAL_KEEP_ALIVE : { keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000 }),
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 300_000,
      idleTimeoutMs: 300_000,
    });
    this.prefill = this.local ? new PrefillDeadline(options.headersTimeoutMs ?? 300_000, options.timers) : undefined;
  }

  private headers(extra?: Record<string, string>): Record<string, string> {
    const key: Record<string, string> = this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
    return extra ? { ...extra, ...key } : key;
  }

  /** `path` under the API root (`/v1`), or with `atRoot` under the server's root (vLLM's `/tokenize`). */
  private call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    {
      atRoot = false,
      prefill,
      facts,
      headers,
    }: { atRoot?: boolean; prefill?: PrefillDeadline; facts?: TurnFacts; headers?: Record<string, string> } = {},
  ) {
    const prefix = atRoot ? this.basePath.replace(/\/v1$/, "") : this.basePath;
    return requestUpstream(
      this.pool,
      { method, path: `${prefix}${path}`, headers: this.headers(headers), body, signal, prefill, facts },
      this,
    );
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
    if (this.kind === "sglang" && request.tools.length > 0) {
      this.toolParserRead ??= this.readToolParser();
      await untilAborted(this.toolParserRead, options.signal);
    }
    const compat = this.compat;
    const body = toOpenAICompatibleBody(request, options.model, compat);
    const prefill = { prefill: this.prefill, facts, headers: this.fleetRouter?.headers(options.lane) };
    let response = await this.call("POST", "/chat/completions", body, options.signal, prefill);
    if (response.status === 400) {
      const text = await response.text();
      if (!compat.toolsAsText && request.tools.length > 0 && refusesToolCalls(text)) {
        // The server has no tool parser and refused before rendering anything: from now on its tools go
        // as text, this request first.
        this.compat = { ...compat, toolsAsText: true };
        return this.open(request, options, facts);
      }
      // The prompt fits but the completion asked for does not (the clamp's estimate was short, or the
      // context was unknown): the server's message says how much room there is, so ask again for that.
      const room = completionRoomOf(text);
      if (room === undefined || room >= request.maxTokens)
        throw mapUpstreamError(response.status, text, this.name, response.retryAfter, response.rateLimit);
      facts.maxTokensClamped = { from: request.maxTokens, to: room };
      response = await this.call(
        "POST",
        "/chat/completions",
        { ...body, [this.compat.maxTokensField]: room },
        options.signal,
        prefill,
      );
    }
    if (response.status >= 400) {
      throw await upstreamFailure(response, this.name);
    }
    if (response.rateLimit) facts.rateLimit = response.rateLimit;
    this.fleetRouter?.observe(options.lane, response.headers);
    const events = readChatCompletionsStream(response.body, {
      id: `msg_${randomUUID().replaceAll("-", "")}`,
      model: request.model,
      backendName: this.name,
      ...(compat.toolsAsText ? { toolsAsText: TOOLS_AS_TEXT_OUTPUT } : {}),
    });
    return this.prefill ? measuringPrefill(events, this.prefill) : events;
  }

  /**
   * SGLang's server arguments, read once before its first request with tools: without a tool parser its
   * tools go as text (tool-parser.ts). An answer that does not say (an older SGLang, a router in front)
   * changes nothing; a failure to read is tried again on the next request with tools. One read serves
   * every request waiting on it, so it has a time limit of its own, and a request whose client goes
   * away stops waiting (untilAborted).
   */
  private async readToolParser(): Promise<void> {
    try {
      const info = await sglangServerInfo(async (path) => {
        const response = await this.call("GET", path, undefined, AbortSignal.timeout(5_000), { atRoot: true });
        return { status: response.status, text: await response.text() };
      });
      if (readsToolCalls(info) === false) this.compat = { ...this.compat, toolsAsText: true };
    } catch {
      this.toolParserRead = undefined;
    }
  }

  /**
   * Exact where the server renders and tokenizes a chat itself (vLLM: `POST /tokenize` with the same
   * messages and tools as the chat request, answering `count`). Elsewhere an ESTIMATE, labelled
   * `exact: false`: the JSON length of the system prompt, messages and tools over 4 (about 4 characters
   * a token), since a hosted API or SGLang's text-only `/tokenize` cannot count a chat.
   */
  async countTokens(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): Promise<TokenCount> {
    if (this.compat.tokenize === "chat") {
      const chat = toOpenAICompatibleBody(request, options.model, this.compat);
      const body = { model: chat.model, messages: chat.messages, tools: chat.tools, add_generation_prompt: true };
      if (chat.chat_template_kwargs) Object.assign(body, { chat_template_kwargs: chat.chat_template_kwargs });
      const response = await this.call("POST", "/tokenize", body, options.signal, { atRoot: true });
      const text = await response.text();
      if (response.status >= 400) throw mapUpstreamError(response.status, text, this.name, response.retryAfter);
      const count = (JSON.parse(text) as { count?: unknown }).count;
      if (typeof count !== "number") {
        throw new SwitchyardError(`${this.name}: /tokenize answered without a count`, {
          kind: "upstream",
          code: "bad_upstream_answer",
        });
      }
      return { tokens: count, exact: true };
    }
    const text = JSON.stringify({ system: request.system, messages: request.messages, tools: request.tools });
    return { tokens: Math.ceil(text.length / 4), exact: false };
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    if (this.options.models) return [...this.options.models];
    const response = await this.call("GET", "/models", undefined, signal ?? AbortSignal.timeout(30_000));
    const text = await response.text();
    if (response.status >= 400) throw mapUpstreamError(response.status, text, this.name, response.retryAfter);
    const models = (JSON.parse(text) as { data?: Array<{ id: string; max_model_len?: unknown }> }).data ?? [];
    const window = models[0]?.max_model_len;
    if (typeof window === "number") this.modelWindow = window;
    return models.map((model) => model.id);
  }

  /** Through listModels; with a configured model list this only says the backend is configured. */
  async health(signal?: AbortSignal): Promise<BackendHealth> {
    try {
      await this.listModels(signal ?? AbortSignal.timeout(5_000));
      return { ok: true, detail: this.compat.toolsAsText ? `ok; ${TOOLS_AS_TEXT_NOTE}` : "ok" };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** vLLM and SGLang list `max_model_len` with each model; hosted APIs say nothing here. */
  async contextSize(signal?: AbortSignal): Promise<number | undefined> {
    if (this.modelWindow === undefined && this.local && !this.options.models)
      await this.listModels(signal).catch(() => undefined);
    return this.modelWindow;
  }

  preconnect(): void {
    if (this.local) preconnect(this.pool as Pool);
  }

  async close(): Promise<void> {
    await closeUpstreamPool(this.pool);
  }
}
