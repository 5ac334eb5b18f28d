import { createHash, randomBytes, randomUUID } from "node:crypto";
import { unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Pool } from "undici";
import type { CanonicalEvent, CanonicalRequest } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import type { TurnFacts } from "../../core/turn-facts.js";
import { detectFamily } from "../../families/model-families.js";
import { describeLane, type Lane } from "../../sessions/lane.js";
import type { SlotMemory } from "../../sessions/session-table.js";
import { SlowestRecent } from "../../util/slowest-recent.js";
import type { Backend, BackendHealth, ModelCard, SlotView, StreamOptions, TokenCount } from "../backend.js";
import { readChatCompletionsStream } from "../chat-completions/read-chat-completions-stream.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import {
  type DeadlineTimers,
  LOCAL_HEADERS_TIMEOUT_MS,
  measuringPrefill,
  PrefillDeadline,
} from "../prefill-deadline.js";
import { reportTurnFacts } from "../report-turn-facts.js";
import { chatToolsAsText } from "../tools-as-text.js";
import { closeUpstreamPool, LOCAL_KEEP_ALIVE, preconnect, upstreamPool } from "../upstream-pool.js";
import { generationRequest, requestUpstream, upstreamFailure, upstreamJson } from "../upstream-request.js";
import { MTMD_DEFAULT_MARKER } from "./completion-media.js";
import { applyHistoryRemedy } from "./history-remedy.js";
import { DEFAULT_LLAMA_SERVER_COMPAT, type LlamaServerCompat } from "./llama-server-compat.js";
import { ASSUMED_COPY_BYTES_PER_SECOND, chooseCopySource } from "./prefix-copy.js";
import { keepsIdleSlots } from "./probe-slot-keeping.js";
import { writesToolList } from "./probe-tool-list.js";
import { refusesTypeUnions } from "./probe-type-unions.js";
import { promptRenderingFor } from "./prompt-rendering.js";
import { readCompletionStream } from "./read-completion-stream.js";
import { pruneSlotFiles } from "./slot-file-budget.js";
import {
  EVICTION_ORDER,
  type SlotBook,
  type SlotBookFactory,
  type SlotLease,
  SlotScheduler,
} from "./slot-scheduler.js";
import { parseSlots, type SlotState, slotsToEmpty, steerTarget } from "./slot-steering.js";
import { appendOnlyProbeConversations, hasPreserveThinking } from "./template-remedy.js";
import { toCompletionBody } from "./to-completion-body.js";
import { toLlamaServerBody } from "./to-llama-server-body.js";

/** The variable llama-server reads its `--api-key` from, and Switchyard the key for it by default. */
export const LLAMA_API_KEY = "LLAMA_API_KEY";

export interface LlamaServerOptions {
  name: string;
  baseUrl: string;
  /** The server's key, when it was started with `--api-key` (sent as `Authorization: Bearer`). */
  apiKey?: string;
  /** Overrides for detected compat flags. */
  compat?: Partial<LlamaServerCompat>;
  /**
   * Time allowed for response headers; for a generation the least allowed, as the prefill deadline grows
   * with the prompt and the measured prefill speed (prefill-deadline.ts).
   */
  headersTimeoutMs?: number;
  /** The prefill deadline's clock (tests). */
  timers?: DeadlineTimers;
  /** Longest silence allowed between two chunks of a streamed answer. */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * The server runs with `--slot-save-path`: when a lane loses its slot, its KV cache is saved to a file
   * there, and restored into whatever slot the lane gets when it returns.
   */
  slotSave?: boolean;
  /**
   * Where the server saves slot files and the disk they may take: after each save the oldest are
   * deleted past `maxBytes`; and a file's bytes per token (the model's KV cache per token), when known.
   * Known only for the engine Switchyard launches.
   */
  slotFiles?: { directory: string; maxBytes: number; kvBytesPerToken?: number };
  /** Where lanes get slots when several Switchyard replicas share this server (default: this process's own). */
  slotBook?: SlotBookFactory;
  /**
   * On a server with a RAM cache whose slots keep their prompts (the engine Switchyard launches): before a
   * turn, another slot whose last turn here ended this long ago has its prompt moved to the RAM cache.
   */
  idleSlotMs?: number;
  /** The server's RAM prompt cache in bytes (`--cache-ram`), where known: a prompt moved there must fit. */
  cacheRamBytes?: number;
  /** `client` (default) follows the client's thinking setting; `after-tool-error` thinks only on the turn after a failed tool call. */
  thinkingPolicy?: "client" | "after-tool-error";
}

/** One model of a llama-server in router mode, served by a child process of its own. */
interface RouterModel {
  /** The model's name in the router's list, sent with every request for it (`?model=`, or `"model"` in the body). */
  name: string;
  /** The router's backend: its connections, key and listeners are the model's too. */
  router: LlamaServerBackend;
}

interface Props {
  /** `router` for llama-server in router mode (`--models-dir`, `--models-preset`, or no model at all). */
  role?: string;
  build_info?: string;
  bos_token?: string;
  eos_token?: string;
  total_slots?: number;
  default_generation_settings?: { n_ctx?: number };
  modalities?: { vision?: boolean };
  /** The marker an image takes in a prompt (`get_media_marker()`); older servers name none and use mtmd's. */
  media_marker?: string;
  model_alias?: string;
  model_path?: string;
  chat_template?: string;
  /** Asleep after `--sleep-idle-seconds` without a task: the model and its cache are unloaded. */
  is_sleeping?: boolean;
}

/** Whether any message of the request, or any tool result in it, holds an image. */
const holdsImages = (request: CanonicalRequest) =>
  request.messages.some((message) =>
    message.parts.some(
      (part) =>
        part.type === "image" || (part.type === "tool_result" && part.content.some((item) => item.type === "image")),
    ),
  );

/**
 * What a server serves, as far as the probe depends on it (model, template, context, slots, build), as a
 * short digest: two servers that differ in any of it differ here.
 */
const serverId = (props: Props) =>
  createHash("sha256")
    .update(
      JSON.stringify([
        props.model_alias ?? props.model_path,
        props.chat_template,
        props.default_generation_settings?.n_ctx,
        props.total_slots,
        props.build_info,
        props.role,
      ]),
    )
    .digest("base64url")
    .slice(0, 16);

const modelOf = (props: Props) => basename(props.model_alias ?? props.model_path ?? "an unnamed model");

const describeServer = (props: Props) =>
  `${modelOf(props)} with ${props.total_slots ?? 1} slot(s) and a ${props.default_generation_settings?.n_ctx ?? "?"}-token context`;

/** How long reading `/slots` may take before a turn is placed by the server instead. */
const SLOTS_READ_TIMEOUT_MS = 2_000;

/** How long making room for a turn may take (reading /slots, counting, emptying slots) before it goes on. */
const ROOM_TIMEOUT_MS = 30_000;

/**
 * One token on a slot: the server moves the slot's prompt to its RAM cache before taking it (it shares less
 * than half of it: `get_available_slot`), and the one-token prompt loads nothing from there (an entry must
 * share a quarter of itself).
 */
const ONE_TOKEN_ON = (slot: number) => ({ prompt: " ", id_slot: slot, n_predict: 1, cache_prompt: true });

/** How long copying another slot's prompt into a new lane's slot may take before the turn goes on without it. */
const COPY_TIMEOUT_MS = 60_000;
/** Copy speeds kept; the slowest is used. */
const COPY_SPEEDS_KEPT = 8;

/** Replicas sharing a server share the lanes' places on its slots by this key: its URL, and the model in router mode. */
const slotBookKey = (baseUrl: string, model: RouterModel | undefined) =>
  model ? `${baseUrl}?model=${encodeURIComponent(model.name)}` : baseUrl;

/** What differs between two servers' /props, as `serve` says it. */
function describeChange(before: Props, after: Props): string {
  const changes: string[] = [];
  const differ = (a: unknown, b: unknown, text: string) => a !== b && changes.push(text);
  differ(modelOf(before), modelOf(after), `model ${modelOf(before)} → ${modelOf(after)}`);
  differ(before.total_slots, after.total_slots, `slots ${before.total_slots ?? 1} → ${after.total_slots ?? 1}`);
  const context = (props: Props) => props.default_generation_settings?.n_ctx;
  differ(context(before), context(after), `context ${context(before)} → ${context(after)} tokens`);
  differ(before.chat_template, after.chat_template, "another chat template");
  differ(before.build_info, after.build_info, `build ${before.build_info} → ${after.build_info}`);
  return changes.join(", ");
}

/**
 * llama-server over /v1/chat/completions (its own /v1/messages drops `id_slot` and `cache_prompt`, and
 * raises on mid-conversation system messages with some templates). Keep-alive pool, timeouts, aborts.
 */
export class LlamaServerBackend implements Backend {
  readonly kind = "llama-server" as const;
  readonly local = true;
  readonly name: string;
  readonly baseUrl: string;
  private readonly pool: Pool;
  private compatPromise: Promise<LlamaServerCompat> | undefined;
  private propsCache: Props | undefined;
  /** The server the last /props described, for the turns' facts. */
  private server: TurnFacts["server"];
  /** `serverId` of the last /props, what a server check compares. */
  private digest: string | undefined;
  /** How often, and how last, the server's cache was seen emptied: each time is a new `server.id`. */
  private emptied: { count: number; how: string } | undefined;
  /** The last check found the server asleep, or (router mode) the model unloaded. */
  private away = false;
  /** The latest task the server's slots had run at the last check (`/slots`, `id_task`). */
  private latestTask: number | undefined;
  /** Lane → slot pinning, created once the slot count is known from /props. */
  slots: SlotBook | undefined;
  /** Generations started, and the slots turns are being steered to (a server that empties idle slots). */
  private started = 0;
  private readonly steered = new Set<number>();
  /** When the last turn on each slot that may still be moved for idleness ended (Date.now()). */
  private readonly slotEnded = new Map<number, number>();
  /** Slots whose prompt was moved to the RAM cache for idleness, until a turn uses them again. */
  private readonly movedIdle = new Set<number>();
  /** What copies measured (prefix-copy.ts): a slot file's bytes per token, recent save-and-restore speeds (bytes/s). */
  private readonly copies = {
    bytesPerToken: undefined as number | undefined,
    bytesPerSecond: new SlowestRecent(COPY_SPEEDS_KEPT),
  };
  private readonly prefill: PrefillDeadline;
  /** Sent with every request: the key, for a server started with --api-key. */
  private readonly headers: Record<string, string>;
  private readonly serverChangeListeners: Set<(change: string, slotOwner: string) => void>;
  private serverCheck: Promise<void> | undefined;
  /** The server closed a connection since the last check that set off. */
  private connectionLost = false;
  /**
   * A server in router mode: each model it lists is a child process with its own template, context and
   * slots, served here by a backend of its own (by model name) that names the model in every request.
   */
  private routerModels: Map<string, LlamaServerBackend> | undefined;
  /** Who owns the lanes' saved slot files in the session table: the backend, or the backend's model. */
  private readonly slotOwner: string;

  constructor(
    private readonly options: LlamaServerOptions,
    private readonly routerModel?: RouterModel,
  ) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.slotOwner = routerModel ? `${this.name}/${routerModel.name}` : this.name;
    this.prefill = new PrefillDeadline(options.headersTimeoutMs ?? LOCAL_HEADERS_TIMEOUT_MS, options.timers);
    if (routerModel) {
      this.pool = routerModel.router.pool;
      this.headers = routerModel.router.headers;
      this.serverChangeListeners = routerModel.router.serverChangeListeners;
      return;
    }
    this.pool = upstreamPool(this.baseUrl, options, {
      connections: 64,
      pipelining: 1,
      ...LOCAL_KEEP_ALIVE,
      connectTimeoutMs: 5_000,
      headersTimeoutMs: LOCAL_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: 300_000,
    });
    this.headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.serverChangeListeners = new Set();
    // A connection the server closed may mean a server restarted since: the next request looks again
    // (`preconnect`, or the connection opened for a request that did not preconnect). Not one this side
    // closed when it had idled (UND_ERR_INFO, "socket idle timeout"), before llama-server's own 5 s.
    this.pool.on("disconnect", (_origin, _targets, error) => {
      if ((error as { code?: string } | undefined)?.code !== "UND_ERR_INFO") this.connectionLost = true;
    });
    this.pool.on("connect", () => this.checkAfterLostConnection());
  }

  /**
   * Calls `listener` with what changed when the server behind the URL (or, in router mode, one of its
   * models) turns out to serve something else, and the owner of the slot files saved for it.
   */
  onServerChange(listener: (change: string, slotOwner: string) => void): () => void {
    this.serverChangeListeners.add(listener);
    return () => this.serverChangeListeners.delete(listener);
  }

  /**
   * Reads /props again. When the server now serves another model, template, context size or slot count
   * than the probe saw (a server the user restarted on the same port), forgets the probe and the slot
   * pins, so the next request probes it again, and tells the listeners. Runs on every health check and
   * on a new connection; never throws (a server that is down is the health check's to say). In router
   * mode it checks the router and each model used so far, without loading one the router has unloaded.
   * A server found asleep, or a model found unloaded, has lost its cache: the lanes' next misses say so.
   */
  checkServer(signal?: AbortSignal): Promise<void> {
    const probed = this.propsCache;
    if (!probed) return Promise.resolve();
    this.serverCheck ??= (async () => {
      try {
        // A model the router has unloaded answers 400 ("model is not loaded") instead of loading again,
        // and its cache is gone.
        const path = this.routerModel ? "/props?autoload=false" : "/props";
        const props = await this.json<Props>("GET", path, undefined, signal ?? AbortSignal.timeout(5_000)).catch(
          (error: unknown) => {
            if (this.routerModel && /not loaded/.test((error as Error).message))
              this.noteAway("had its model unloaded by the router (--models-max, or POST /models/unload)");
            throw error;
          },
        );
        if (props.is_sleeping) this.noteAway("slept (--sleep-idle-seconds)");
        else this.away = false;
        if (this.propsCache === probed && serverId(props) !== this.digest) {
          this.emptied = undefined;
          this.latestTask = undefined;
          this.remember(props);
          this.compatPromise = undefined;
          this.slots = undefined;
          const what = this.routerModel ? `${this.name}'s model ${this.routerModel.name}` : `${this.name}'s server`;
          const change = `${what} changed (${describeChange(probed, props)}); probing it again`;
          for (const listener of this.serverChangeListeners) listener(change, this.slotOwner);
        }
        // Asleep, its slots show no tasks; awake again, its task numbers go on. A router has no slots of
        // its own: its models' checks below read theirs.
        if (!props.is_sleeping && !this.routerModels && this.propsCache === probed) await this.checkTaskNumbers(signal);
        if (this.routerModels)
          await Promise.all([...this.routerModels.values()].map((model) => model.checkServer(signal)));
      } catch {
        // Unreachable or not ready: the health check says so.
      } finally {
        this.serverCheck = undefined;
      }
    })();
    return this.serverCheck;
  }

  private call(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined) {
    const model = this.routerModel?.name;
    if (model !== undefined && method === "GET")
      path = `${path}${path.includes("?") ? "&" : "?"}model=${encodeURIComponent(model)}`;
    if (model !== undefined && method === "POST") body = { ...(body as object), model };
    return requestUpstream(this.pool, { method, path, headers: this.headers, body, signal }, this);
  }

  private async json<T>(method: "GET" | "POST", path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.call(method, path, body, signal ?? AbortSignal.timeout(30_000));
    try {
      return await upstreamJson<T>(response, this.name);
    } catch (error) {
      throw this.withKeyHint(error);
    }
  }

  /** A 401 from the server says which key it wants, and where Switchyard takes it from. */
  private withKeyHint(error: unknown): unknown {
    if (!(error instanceof SwitchyardError) || error.code !== "upstream_auth") return error;
    const sent = this.options.apiKey ? "refused the key Switchyard sent" : "Switchyard sent no key";
    error.message = `${error.message} (llama-server was started with --api-key and ${sent}: set ${LLAMA_API_KEY} to its key, or apiKey / apiKeyEnv in this backend's config)`;
    return error;
  }

  async props(signal?: AbortSignal): Promise<Props> {
    this.remember(await this.json<Props>("GET", "/props", undefined, signal));
    return this.propsCache as Props;
  }

  private remember(props: Props): void {
    this.propsCache = props;
    this.digest = serverId(props);
    this.server = {
      id: this.emptied ? `${this.digest}~${this.emptied.count}` : this.digest,
      described: describeServer(props),
      ...(this.emptied ? { emptied: this.emptied.how } : {}),
    };
    if (!this.routerModel) this.routerModels = props.role === "router" ? (this.routerModels ?? new Map()) : undefined;
  }

  /**
   * A check found the server's cache emptied (asleep, or the model unloaded by the router): the turns
   * after it carry another server id, so a lane's first miss after it says why. Once per time away.
   */
  private noteAway(how: string): void {
    if (this.away) return;
    this.away = true;
    this.noteEmptied(how);
  }

  private noteEmptied(how: string): void {
    this.emptied = { count: (this.emptied?.count ?? 0) + 1, how };
    if (this.propsCache) this.remember(this.propsCache);
  }

  /**
   * A server started again as the same thing (same model and flags) has the same /props, but numbers its
   * tasks from 0 again: each slot shows the last task it ran (`/slots`, `id_task`), so the latest task
   * falling below the one seen at the last check means a new process, with an empty cache. The check
   * after a lost connection runs before the first turn on the new process, which then finds no task
   * run. Skipped where `/slots` is off (`--no-slots`).
   */
  private async checkTaskNumbers(signal: AbortSignal | undefined): Promise<void> {
    const slots = await this.readSlots(signal ?? AbortSignal.timeout(5_000));
    if (!slots) return;
    const latest = Math.max(-1, ...slots.map((slot) => slot.task ?? -1));
    if (this.latestTask !== undefined && latest < this.latestTask)
      this.noteEmptied(
        this.routerModel ? "had its model loaded again by the router" : "was started again (same model and flags)",
      );
    this.latestTask = latest;
  }

  /**
   * The backend that serves `model`: this one, or in router mode the one for that model. Reads /props
   * first when what the server is has not been read yet.
   */
  async backendFor(model: string, signal?: AbortSignal): Promise<LlamaServerBackend> {
    if (!this.propsCache) await this.props(signal);
    if (!this.routerModels) return this;
    let served = this.routerModels.get(model);
    if (!served) {
      served = new LlamaServerBackend(this.options, { name: model, router: this });
      this.routerModels.set(model, served);
    }
    return served;
  }

  /**
   * Probes the template once: does it accept a system message mid-conversation, does it have a
   * `preserve_thinking` switch, does it render a conversation append-only, does it take a tool schema
   * with a type union, does the model see?
   */
  compat(signal?: AbortSignal): Promise<LlamaServerCompat> {
    this.compatPromise ??= (async () => {
      const props = await this.props(signal);
      const count = Math.max(1, props.total_slots ?? 1);
      this.slots ??=
        this.options.slotBook?.(slotBookKey(this.baseUrl, this.routerModel), count) ?? new SlotScheduler(count);
      const render = async (messages: unknown[], kwargs: Record<string, unknown>, tools?: unknown[]) => {
        const response = await this.call(
          "POST",
          "/apply-template",
          { messages, chat_template_kwargs: kwargs, ...(tools ? { tools } : {}) },
          signal ?? AbortSignal.timeout(30_000),
        );
        const text = await response.text();
        return response.status === 200 ? (JSON.parse(text) as { prompt?: string }).prompt : undefined;
      };
      const placement = await probeSystemPlacement(render);
      const pinSlots =
        this.options.compat?.pinSlots ??
        (await keepsIdleSlots(
          (body) => this.json("POST", "/completion", body, signal ?? AbortSignal.timeout(120_000)),
          props.total_slots ?? 1,
        ));
      const family = detectFamily(props.chat_template);
      const history = this.options.compat?.history ?? family?.history ?? DEFAULT_LLAMA_SERVER_COMPAT.history;
      const templateKwargs: Record<string, unknown> = hasPreserveThinking(String(props.chat_template ?? ""))
        ? { preserve_thinking: true }
        : {};
      const renderingOrWhyNot =
        this.options.compat?.rendering === false
          ? undefined
          : await promptRenderingFor(family, props, async (content) => {
              const tokenized = await this.json<{ tokens?: unknown[] }>(
                "POST",
                "/tokenize",
                { content, add_special: true },
                signal,
              );
              return tokenized.tokens ?? [];
            });
      const rendering = typeof renderingOrWhyNot === "string" ? undefined : renderingOrWhyNot;
      // Switchyard's renderer reduces unions itself where a template raises on them (render-prompt.ts).
      const singleTypes = !rendering && (await refusesTypeUnions((messages, tools) => render(messages, {}, tools)));
      // Where Switchyard renders, the probes render the way every request will be.
      const renderProbe = rendering
        ? async (messages: unknown[], kwargs: Record<string, unknown>, tools: unknown[] = []) =>
            rendering.renderer.render({
              messages: (rendering.toolsAsText
                ? chatToolsAsText(messages as Record<string, unknown>[], [])
                : messages) as ChatMessage[],
              tools,
              addGenerationPrompt: true,
              kwargs,
            })
        : render;
      // A template that never writes the tool list (DeepSeek V3.1) gets it in the family's call syntax.
      const call = family?.toolCalls;
      const listsTools =
        rendering?.toolsAsText || !call?.includes("NAME") || !call.includes("ARGS")
          ? true
          : await writesToolList((messages, tools) => renderProbe(messages, templateKwargs, tools));
      const vision = props.modalities?.vision === true;
      const { before, after } = appendOnlyProbeConversations();
      const [renderedBefore, renderedAfter] = await Promise.all([
        renderProbe(applyHistoryRemedy(before as ChatMessage[], history), templateKwargs),
        renderProbe(applyHistoryRemedy(after as ChatMessage[], history), templateKwargs),
      ]);
      return {
        ...DEFAULT_LLAMA_SERVER_COMPAT,
        ...placement,
        family: family?.id,
        history,
        pinSlots,
        vision,
        // A prompt Switchyard renders carries its images as the server's markers, their bytes apart.
        ...(rendering && vision ? { mediaMarker: props.media_marker ?? MTMD_DEFAULT_MARKER } : {}),
        templateKwargs,
        appendOnly: renderedBefore !== undefined && renderedAfter?.startsWith(renderedBefore) === true,
        ...(rendering ? { rendering } : {}),
        ...(singleTypes ? { singleSchemaTypes: true } : {}),
        ...(listsTools ? {} : { toolListCall: call }),
        ...(typeof renderingOrWhyNot === "string" ? { renderingRefused: renderingOrWhyNot } : {}),
        ...this.options.compat,
      } satisfies LlamaServerCompat;
    })().catch((error: unknown) => {
      this.compatPromise = undefined;
      throw error;
    });
    return this.compatPromise;
  }

  /** Which lane holds which slot; in router mode every model's slots, each with its model. */
  slotSnapshot(): SlotView[] | undefined {
    if (this.routerModels) {
      const models = [...this.routerModels.values()].flatMap((model) => model.slotSnapshot() ?? []);
      return models.length > 0 ? models : undefined;
    }
    const slots = this.slots
      ?.snapshot()
      .map((slot) => (this.movedIdle.has(slot.slot) ? { ...slot, inRamCache: true } : slot));
    const model = this.routerModel?.name;
    return model === undefined ? slots : slots?.map((slot) => ({ ...slot, model }));
  }

  freeSlots(): number | undefined {
    return this.slotSnapshot()?.filter((slot) => slot.lane === undefined).length;
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const models = await this.json<{ data?: Array<{ id: string }> }>("GET", "/v1/models", undefined, signal);
    return (models.data ?? []).map((model) => model.id);
  }

  /** The context of `model`'s process in router mode (which loads it); the router itself has none. */
  async contextSize(signal?: AbortSignal, model?: string): Promise<number | undefined> {
    if (this.routerModels || !this.propsCache) {
      const served = model === undefined ? this : await this.backendFor(model, signal);
      if (served !== this) return served.contextSize(signal);
    }
    const props = this.propsCache ?? (await this.props(signal));
    return this.routerModels ? undefined : props.default_generation_settings?.n_ctx;
  }

  async modelCard(model: string, signal?: AbortSignal): Promise<ModelCard> {
    if (!this.propsCache) await this.props(signal);
    if (this.routerModels) {
      // A model the router has not loaded is not loaded for a catalog: only what a turn has read.
      const served = this.routerModels.get(model);
      return served?.propsCache ? served.modelCard(model, signal) : {};
    }
    const props = this.propsCache as Props;
    const vision = props.modalities?.vision === true;
    return {
      contextSize: props.default_generation_settings?.n_ctx,
      ...(props.chat_template ? { chatTemplate: props.chat_template } : {}),
      vision,
    };
  }

  async health(signal?: AbortSignal): Promise<BackendHealth> {
    try {
      const response = await this.call("GET", "/health", undefined, signal ?? AbortSignal.timeout(5_000));
      const text = await response.text();
      if (response.status === 200) await this.checkServer(signal);
      return {
        ok: response.status === 200,
        detail: response.status === 200 ? "ok" : `HTTP ${response.status}: ${text.slice(0, 200)}`,
      };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  stream(request: CanonicalRequest, options: StreamOptions): AsyncIterable<CanonicalEvent> {
    const facts: TurnFacts = {};
    return reportTurnFacts(() => this.open(request, options, facts), facts);
  }

  /** Sends the generation and returns its events; a slot leased for it is freed when they end. */
  private async open(
    request: CanonicalRequest,
    options: StreamOptions,
    facts: TurnFacts,
  ): Promise<AsyncIterable<CanonicalEvent>> {
    // A server restarted as something else is probed again before this turn is rendered for it.
    if (this.serverCheck) await this.serverCheck;
    if (this.routerModels || !this.propsCache) {
      const served = await this.backendFor(options.model, options.signal);
      if (served !== this) return served.open(request, options, facts);
    }
    const compat = await this.compat(options.signal);
    const chatBody = toLlamaServerBody(
      applyThinkingPolicy(request, this.options.thinkingPolicy, compat),
      options.model,
      compat,
    );
    const rendering = compat.rendering || undefined;
    const rendered = rendering ? toCompletionBody(chatBody, rendering.renderer, compat.mediaMarker) : undefined;
    const body = rendered?.body ?? chatBody;
    // In router mode the router picks the model's process by the body's `model`.
    if (this.routerModel) body.model = this.routerModel.name;
    const lane = options.lane;
    // Without pinning the server places each request itself (and restores it from its RAM prompt cache),
    // unless the lane's prompt is restored best in the slot of another's (slot-steering.ts).
    const lease = lane && compat.pinSlots ? await this.slots?.acquire(lane, options.signal) : undefined;
    const steered = lane && !compat.pinSlots ? await this.steer(lane, options.slotMemory, options.signal) : undefined;
    if (steered !== undefined) body.id_slot = steered;
    this.started++;
    const end = () => {
      if (lease && this.options.idleSlotMs) this.slotEnded.set(lease.slot, Date.now());
      lease?.release();
      if (steered !== undefined) this.steered.delete(steered);
      if (lane && !compat.pinSlots) options.slotMemory?.markEnded(lane, this.name, this.started);
    };
    try {
      if (lane) {
        facts.templateAppendOnly = compat.appendOnly;
        facts.templateFamily = compat.family;
        facts.server = this.server;
      }
      if (lease && lane) {
        this.movedIdle.delete(lease.slot);
        const memory = options.slotMemory;
        if (lease.displacedLane) memory?.recordDisplacement(lease.displacedLane, lane);
        const restored =
          this.options.slotSave && memory && (await this.swapSlotFiles(lease, lane, memory, options.signal));
        const displaced = lease.displacedLane;
        if (
          displaced &&
          compat.makeRoom &&
          !restored &&
          !memory?.isSaved(displaced, this.slotOwner) &&
          this.ramCacheKeeps(displaced, memory)
        )
          await this.moveToRamCache(lease.slot, options.signal);
        // A lane's first turn here starts from the prompt of another lane's slot, where the two share a head.
        if (lease.reassigned && !restored && memory && memory.lastTurn(lane)?.backend !== this.name) {
          const copy = await this.copyPrefix(lease.slot, request, memory, options.signal);
          if (copy) facts.prefixCopy = copy;
        }
        if (compat.makeRoom) {
          const idle = this.idleSlots(lease.slot);
          if (idle.length > 0) await this.moveIdle(idle, memory, options.signal);
          await this.makeRoom(lease.slot, lane, request, options, memory);
        }
        body.id_slot = lease.slot;
        facts.slot = lease.slot;
        facts.slotReassigned = lease.reassigned;
        const displacedBy = memory?.takeDisplacement(lane);
        if (displacedBy) facts.displacedBy = describeLane(displacedBy);
      }
      const path = rendered ? "/completion" : "/v1/chat/completions";
      const response = await requestUpstream(
        this.pool,
        generationRequest(path, body, options.signal, this.prefill, facts, this.headers),
        this,
      );
      if (response.status >= 400) throw this.withKeyHint(await upstreamFailure(response, this.name));
      const context = { id: `msg_${randomUUID().replaceAll("-", "")}`, model: request.model, backendName: this.name };
      const events =
        rendered && rendering
          ? readCompletionStream(response.body, {
              ...context,
              syntax: rendering.syntax,
              prompt: rendered.prompt,
              tools: (chatBody.tools as unknown[] | undefined) ?? [],
            })
          : readChatCompletionsStream(response.body, context);
      return measuringPrefill(events, this.prefill, end);
    } catch (error) {
      end();
      throw error;
    }
  }

  /**
   * On a server that empties idle slots: the idle slot holding the most tokens, when another generation
   * started since the lane's last turn here ended (so its prompt waits in the RAM cache); else undefined,
   * and the server places the turn. A `/slots` that cannot be read leaves it to the server too.
   */
  private async steer(lane: Lane, memory: SlotMemory | undefined, signal: AbortSignal): Promise<number | undefined> {
    const ended = memory?.endedAt(lane, this.name);
    if (ended === undefined || ended === this.started) return undefined;
    const slots = await this.readSlots(AbortSignal.any([signal, AbortSignal.timeout(SLOTS_READ_TIMEOUT_MS)]));
    signal.throwIfAborted();
    const slot = slots && steerTarget(slots, this.steered);
    if (slot !== undefined) this.steered.add(slot);
    return slot;
  }

  /**
   * What each slot holds now and the last task it ran (`GET /slots`); undefined when it cannot be read (off
   * with `--no-slots`, or `signal` ended it). In router mode, without loading the model.
   */
  private async readSlots(signal: AbortSignal): Promise<SlotState[] | undefined> {
    const path = this.routerModel ? "/slots?autoload=false" : "/slots";
    return parseSlots(await this.json("GET", path, undefined, signal).catch(() => undefined));
  }

  /**
   * Makes room for the lane's turn on `slot` in a context the slots share (slot-steering.ts). Nothing is
   * read while the lanes' last prompts, with a quarter of the context to grow into, fit it; else `/slots`
   * says what each slot holds, the prompt is counted, and idle slots are emptied into the RAM cache, the
   * least important lane first, until it fits. Whatever fails leaves the turn to the server as before.
   */
  private async makeRoom(
    slot: number,
    lane: Lane,
    request: CanonicalRequest,
    options: StreamOptions,
    memory: SlotMemory | undefined,
  ): Promise<void> {
    const capacity = await this.contextSize(options.signal).catch(() => undefined);
    const pinned = this.slots?.snapshot();
    if (!capacity || !pinned) return;
    // Cells are taken as tokens are written, not for max_tokens (which a client sets to the context's
    // worth): room is made for an answer of up to an eighth of the context; a longer one may still find
    // the server emptying a slot.
    const answer = Math.min(request.maxTokens, Math.max(1024, capacity / 8));
    const own = memory?.lastTurn(lane)?.promptTokens;
    // The lane's last prompt, with a quarter of the context to grow into, beside the other slots' lanes.
    const fits = (others: number) => own !== undefined && others + own + answer + capacity / 4 <= capacity;
    let others = 0;
    for (const other of pinned)
      if (other.slot !== slot && other.lane) others += memory?.lastTurn(other.lane)?.promptTokens ?? 0;
    if (fits(others)) return;
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(ROOM_TIMEOUT_MS)]);
    try {
      const slots = await this.readSlots(signal);
      // What the other slots hold now (a lane emptied earlier holds next to nothing).
      if (!slots || fits(slots.reduce((sum, state) => sum + (state.id === slot ? 0 : state.tokens), 0))) return;
      const counted = await this.countTokens(request, { model: options.model, signal });
      const room = slots.map((state) => {
        const view = pinned.find((each) => each.slot === state.id);
        return {
          ...state,
          processing: state.processing || view?.busy === true,
          rank: EVICTION_ORDER[view?.lane?.kind ?? "empty"],
        };
      });
      for (const victim of slotsToEmpty(room, slot, counted.tokens + answer, capacity)) {
        await this.json("POST", "/completion", ONE_TOKEN_ON(victim), signal);
      }
    } catch {
      options.signal.throwIfAborted();
    }
  }

  /**
   * Moves the prompt `slot` holds, a lane's whose slot another lane has just taken, to the server's RAM
   * cache, so that lane finds it there when it comes back. The server saves a slot it gives a turn only when
   * the turn shares less than half of it, so a turn sharing a head (another session of the same agent)
   * would take the rest unsaved, and a copy's restore overwrites a slot without saving it. The turn then
   * finds the slot holding two tokens, and the server looks in its RAM cache for the turn's prompt: a
   * lane coming back loads its own there. Whatever fails leaves the turn to the server as before.
   */
  private async moveToRamCache(slot: number, clientSignal: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([clientSignal, AbortSignal.timeout(ROOM_TIMEOUT_MS)]);
    await this.json("POST", "/completion", ONE_TOKEN_ON(slot), signal).catch(() => clientSignal.throwIfAborted());
  }

  /**
   * The other slots whose last turn here ended `idleSlotMs` ago or more, each once until a turn uses it
   * again. The slots share one KV cache, and every turn attends over the cells of every prompt they keep
   * (masked, but each cell's mask is read: docs/design/append-only-prompt.md, "Prompts kept in other
   * slots"), so a lane long idle costs each other turn more than its return from the RAM cache costs it.
   */
  private idleSlots(slot: number): number[] {
    const after = this.options.idleSlotMs;
    if (!after || this.slotEnded.size === 0) return [];
    const now = Date.now();
    const idle: number[] = [];
    for (const [other, ended] of this.slotEnded) {
      if (other === slot || now - ended < after) continue;
      this.slotEnded.delete(other);
      idle.push(other);
    }
    return idle;
  }

  /** A slot's KV cache per token: as a copy measured it, else as the model's header says; undefined unknown. */
  private kvBytesPerToken(): number | undefined {
    return this.copies.bytesPerToken ?? this.options.slotFiles?.kvBytesPerToken;
  }

  /**
   * Whether the server's RAM cache keeps the prompt `lane` last left in its slot when it is moved there: the
   * server skips an entry larger than the whole cache (`server_prompt_cache::alloc`, server-task.cpp), so
   * the move would lose it, and a prompt of more than half the cache would push out nearly every other.
   * Taken as kept where a size is not known.
   */
  private ramCacheKeeps(lane: Lane | undefined, memory: SlotMemory | undefined): boolean {
    const limit = this.options.cacheRamBytes;
    const perToken = this.kvBytesPerToken();
    const tokens = lane && memory?.lastTurn(lane)?.promptTokens;
    if (!limit || !perToken || !tokens) return true;
    return tokens * perToken <= limit / 2;
  }

  /**
   * Moves each idle slot's prompt to the RAM cache where the cache keeps it, holding the slot meanwhile
   * (its lane's turn waits).
   */
  private async moveIdle(slots: number[], memory: SlotMemory | undefined, signal: AbortSignal): Promise<void> {
    for (const slot of slots) {
      // Read after each earlier move: a slot may have changed hands meanwhile.
      if (!this.ramCacheKeeps(this.slots?.snapshot()[slot]?.lane, memory)) continue;
      // A slot busy again is used, not idle; a book that cannot hold slots (replicas') moves none.
      const hold = this.slots?.hold?.(slot);
      if (!hold) continue;
      try {
        await this.moveToRamCache(slot, signal);
        this.movedIdle.add(slot);
      } finally {
        hold.release();
      }
    }
  }

  /**
   * Saves the displaced lane's KV cache, then restores the arriving lane's, when it has a saved one.
   * Which lanes have a saved file is kept in the session table, forgotten with the session.
   */
  private async swapSlotFiles(lease: SlotLease, lane: Lane, memory: SlotMemory, signal: AbortSignal): Promise<boolean> {
    // In router mode the models' processes share the save path: a file is the lane's on this model.
    const owned = (of: Lane) => (this.routerModel ? `${describeLane(of)}\n${this.routerModel.name}` : describeLane(of));
    const fileFor = (of: Lane) => `switchyard-${createHash("sha256").update(owned(of)).digest("hex").slice(0, 24)}.bin`;
    const action = async (name: "save" | "restore", filename: string) => {
      const response = await this.call("POST", `/slots/${lease.slot}?action=${name}`, { filename }, signal);
      await response.text();
      return response.status === 200;
    };
    if (lease.displacedLane && (await action("save", fileFor(lease.displacedLane)))) {
      memory.markSaved(lease.displacedLane, this.slotOwner);
      const budget = this.options.slotFiles;
      if (budget) {
        const deleted = new Set(await pruneSlotFiles(budget.directory, budget.maxBytes));
        if (deleted.size > 0) memory.forgetSaved(this.slotOwner, (saved) => deleted.has(fileFor(saved)));
      }
    }
    return lease.reassigned && memory.isSaved(lane, this.slotOwner) && (await action("restore", fileFor(lane)));
  }

  /**
   * Copies into `slot`, a new lane's, the KV cache of the idle slot whose lane's last prompt begins as
   * `request` does, when that saves more prefill than it costs (prefix-copy.ts), through a slot file; only
   * where Switchyard knows the directory the server saves to, so the file is deleted again. Undefined when
   * no slot is worth copying or a step failed: the turn then prefills its prompt, as it would have.
   */
  private async copyPrefix(
    slot: number,
    request: CanonicalRequest,
    memory: SlotMemory,
    clientSignal: AbortSignal,
  ): Promise<TurnFacts["prefixCopy"]> {
    const directory = this.options.slotFiles?.directory;
    const others = (this.slots?.snapshot() ?? []).flatMap(({ slot: id, lane, busy }) => {
      const last = lane && !busy && id !== slot ? memory.lastTurn(lane) : undefined;
      return lane && last?.backend === this.name ? [{ id, lane, last }] : [];
    });
    if (!directory || others.length === 0) return undefined;
    const started = performance.now();
    const signal = AbortSignal.any([clientSignal, AbortSignal.timeout(COPY_TIMEOUT_MS)]);
    const filename = `switchyard-${randomBytes(12).toString("hex")}.bin`;
    try {
      const [slots, capacity] = await Promise.all([this.readSlots(signal), this.contextSize(signal)]);
      if (!slots || !capacity) return undefined;
      const candidates = others.flatMap(({ id, last }) => {
        const state = slots.find((each) => each.id === id);
        return state && !state.processing
          ? [{ slot: id, tokens: state.tokens, request: last.request, promptTokens: last.promptTokens }]
          : [];
      });
      // What the slot holds without a lane (a probe's prompt, placed by the server) the restore replaces.
      const inContext = slots.reduce((sum, state) => sum + (state.id === slot ? 0 : state.tokens), 0);
      const source = chooseCopySource(request, candidates, inContext, capacity, {
        prefillTokensPerSecond: this.prefill.tokensPerSecond().value,
        bytesPerToken: this.kvBytesPerToken(),
        copyBytesPerSecond: this.copies.bytesPerSecond.slowest() ?? ASSUMED_COPY_BYTES_PER_SECOND,
        maxFileBytes: this.options.slotFiles?.maxBytes ?? 0,
      });
      const from = others.find(({ id }) => id === source?.slot);
      if (!source || !from) return undefined;
      // Held while it is saved: a turn of its lane waits here, not behind the save in the server's queue.
      const hold = this.slots?.hold?.(source.slot);
      if (this.slots?.hold && !hold) return undefined;
      const copyStarted = performance.now();
      try {
        await this.json("POST", `/slots/${source.slot}?action=save`, { filename }, signal);
      } finally {
        hold?.release();
      }
      const restored = await this.json<{ n_restored?: number; n_read?: number }>(
        "POST",
        `/slots/${slot}?action=restore`,
        { filename },
        signal,
      );
      const copy = {
        fromSlot: source.slot,
        fromLane: describeLane(from.lane),
        tokens: restored.n_restored ?? 0,
        bytes: restored.n_read ?? 0,
        ms: Math.round(performance.now() - started),
      };
      if (copy.tokens > 0 && copy.bytes > 0) {
        this.copies.bytesPerToken = copy.bytes / copy.tokens;
        this.copies.bytesPerSecond.add((copy.bytes * 1000) / Math.max(1, performance.now() - copyStarted));
      }
      return copy;
    } catch {
      clientSignal.throwIfAborted();
      return undefined;
    } finally {
      await unlink(join(directory, filename)).catch(() => undefined);
    }
  }

  /**
   * Exact: the same messages through the server's own template (/apply-template) and tokenizer (/tokenize).
   * Not with images on a server that takes them: each is counted as the text of its media marker, not as the
   * tokens the projector makes of it, which only a prefill tells.
   */
  async countTokens(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): Promise<TokenCount> {
    const served = await this.backendFor(options.model, options.signal);
    if (served !== this) return served.countTokens(request, options);
    const tokens = (await this.promptTokens(request, options.model, options.signal)).length;
    return { tokens, exact: !((await this.compat(options.signal)).vision && holdsImages(request)) };
  }

  /**
   * The tokens of the prompt this server gets for a request: rendered as a generation renders it (by
   * Switchyard for a family it renders, else by the server's `/apply-template`), tokenized by `/tokenize`.
   */
  async promptTokens(request: CanonicalRequest, model: string, signal: AbortSignal): Promise<unknown[]> {
    const served = await this.backendFor(model, signal);
    if (served !== this) return served.promptTokens(request, model, signal);
    const compat = await this.compat(signal);
    const body = toLlamaServerBody(request, model, compat);
    const rendered = compat.rendering
      ? { prompt: toCompletionBody(body, compat.rendering.renderer, compat.mediaMarker).prompt }
      : await this.json<{ prompt?: string }>("POST", "/apply-template", body, signal);
    if (typeof rendered.prompt !== "string") {
      throw new SwitchyardError(`${this.name}: /apply-template returned no prompt`, {
        kind: "upstream",
        code: "bad_upstream_answer",
      });
    }
    const tokens = await this.json<{ tokens?: unknown[] }>(
      "POST",
      "/tokenize",
      { content: rendered.prompt, add_special: true, parse_special: true },
      signal,
    );
    return tokens.tokens ?? [];
  }

  preconnect(): void {
    this.checkAfterLostConnection();
    preconnect(this.pool);
  }

  private checkAfterLostConnection(): void {
    if (!this.connectionLost) return;
    this.connectionLost = false;
    void this.checkServer();
  }

  async close(): Promise<void> {
    if (!this.routerModel) await closeUpstreamPool(this.pool);
  }
}

/**
 * The optional thinking policy: off on ordinary turns, on for the turn after a failed tool call. Only
 * where the template renders append-only, so that switching never re-renders earlier turns (with the
 * append-only template, enable_thinking changes only the generation prompt).
 */
export function applyThinkingPolicy(
  request: CanonicalRequest,
  policy: LlamaServerOptions["thinkingPolicy"],
  compat: LlamaServerCompat,
): CanonicalRequest {
  if (policy !== "after-tool-error" || !compat.appendOnly || request.tools.length === 0) return request;
  const last = request.messages.at(-1);
  const afterError = last?.role === "user" && last.parts.some((part) => part.type === "tool_result" && part.isError);
  return { ...request, thinking: { mode: afterError ? "enabled" : "disabled" } };
}

type RenderProbe = (messages: unknown[], kwargs: Record<string, unknown>) => Promise<string | undefined>;

/**
 * Where the template puts a system message in the middle of a conversation. `native` only when it
 * renders the message where it stands: templates that raise (Qwen3.5), hoist it to the head (DeepSeek)
 * or drop it (gpt-oss, MiniMax) get it as a user turn in its place. When a user turn next to another
 * makes the template raise (roles must alternate), the two are joined.
 */
export async function probeSystemPlacement(
  render: RenderProbe,
): Promise<Pick<LlamaServerCompat, "midConversationSystem" | "alternatingRoles">> {
  const [first, middle, last] = ["Switchyard probe one.", "Switchyard probe two.", "Switchyard probe three."];
  const native = await render(
    [
      { role: "user", content: first },
      { role: "assistant", content: "Noted." },
      { role: "system", content: middle },
      { role: "user", content: last },
    ],
    {},
  );
  const inPlace = (prompt: string | undefined) => {
    const positions = [first, middle, last].map((text) => prompt?.indexOf(text) ?? -1);
    return positions.every(
      (position, index) => position >= 0 && (index === 0 || position > (positions[index - 1] ?? 0)),
    );
  };
  if (inPlace(native)) return { midConversationSystem: "native", alternatingRoles: false };
  const asUser = await render(
    [
      { role: "user", content: first },
      { role: "assistant", content: "Noted." },
      { role: "user", content: middle },
      { role: "user", content: last },
    ],
    {},
  );
  return { midConversationSystem: "as-user", alternatingRoles: asUser === undefined };
}
