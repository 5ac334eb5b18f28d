import type { CanonicalEvent, CanonicalRequest } from "../core/canonical.js";
import type { Lane } from "../sessions/lane.js";
import type { SlotMemory } from "../sessions/session-table.js";
import type { BackendKind } from "./registry/backend-registry.js";

/** The kinds are listed once, in the registry. */
export type { BackendKind };

export interface TokenCount {
  tokens: number;
  /** False when the backend cannot tokenize and the number is an estimate. */
  exact: boolean;
}

export interface BackendHealth {
  ok: boolean;
  detail: string;
}

/** One llama-server slot as the dashboard shows it. */
export interface SlotView {
  slot: number;
  /** The lane pinned to the slot, if any. */
  lane: Lane | undefined;
  /** A request is running on the slot now. */
  busy: boolean;
  /** The model whose slot it is, where a backend serves several with slots of their own (router mode). */
  model?: string;
  /** The lane's prompt waits in the server's RAM cache, moved out of the slot after idling. */
  inRamCache?: boolean;
}

/** What a backend knows of a model without loading it (for a catalog in llama.cpp's router format). */
export interface ModelCard {
  /** Context window in tokens per request. */
  contextSize?: number;
  /** The chat template the server renders the model's prompts with (Jinja). */
  chatTemplate?: string;
  /** Whether images reach the model. */
  vision?: boolean;
}

export interface StreamOptions {
  model: string;
  signal: AbortSignal;
  /** The lane the request belongs to, for backends that keep a warm prefix per lane (llama-server slots). */
  lane?: Lane;
  /** Where such a backend keeps per-lane slot facts, so they are forgotten with the session. */
  slotMemory?: SlotMemory;
}

/**
 * A backend adapter speaks one upstream wire protocol. `stream` throws a SwitchyardError when the
 * upstream fails before answering (so the edge can still send a real HTTP status); once it has
 * yielded `message_start`, failures arrive as a final `error` event instead. What it did with the turn
 * (slot, rate limits, deadline) travels on `message_start`, or on the error thrown before it.
 */
export interface Backend {
  readonly name: string;
  readonly kind: BackendKind;
  readonly baseUrl: string;
  /** True for backends on this machine (cost nothing per token, keep a prefix cache). */
  readonly local: boolean;
  listModels(signal?: AbortSignal): Promise<string[]>;
  stream(request: CanonicalRequest, options: StreamOptions): AsyncIterable<CanonicalEvent>;
  countTokens(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): Promise<TokenCount>;
  health(signal?: AbortSignal): Promise<BackendHealth>;
  /** Slots no lane holds yet, for placing a new session; undefined when the backend has no slots. */
  freeSlots?(): number | undefined;
  /** Which lane holds which slot, for the dashboard; undefined when the backend has no slots (yet). */
  slotSnapshot?(): SlotView[] | undefined;
  /**
   * Context window in tokens per request, when the backend reports it: `model`'s where the backend's
   * models differ in it (llama-server in router mode), else the backend's.
   */
  contextSize(signal?: AbortSignal, model?: string): Promise<number | undefined>;
  /**
   * What is known of `model` without loading it: a model a llama-server router has not loaded has no
   * context or template yet. Backends without one are described by `contextSize` alone.
   */
  modelCard?(model: string, signal?: AbortSignal): Promise<ModelCard>;
  /**
   * A generation request has arrived and may come here: open a connection now when none is idle, so
   * the handshake overlaps reading and planning it (local backends, whose idle connections go quickly).
   */
  preconnect?(): void;
  /**
   * Calls `listener` when the server behind the URL turns out to serve something else than it did (a
   * llama-server restarted with another model, template, context size or slot count), with the owner of
   * the slot files saved for it (session-table.ts `forgetSaved`); returns a function that unsubscribes.
   */
  onServerChange?(listener: (change: string, slotOwner: string) => void): () => void;
  close(): Promise<void>;
}
