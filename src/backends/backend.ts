import type { CanonicalEvent, CanonicalRequest } from "../core/canonical.js";
import type { LaneKind } from "../sessions/session-identity.js";

export type BackendKind = "llama-server" | "anthropic" | "openai-compatible" | "ollama" | "vllm" | "sglang";

export interface TokenCount {
  tokens: number;
  /** False when the backend cannot tokenize and the number is an estimate. */
  exact: boolean;
}

export interface BackendHealth {
  ok: boolean;
  detail: string;
}

/** A backend's slots: how many, how many lanes of each kind hold one, how many run a request now. */

/** The lane a request belongs to, for backends that keep a warm prefix per lane (llama-server slots). */
export interface LaneRef {
  key: string;
  kind: LaneKind;
}

/** One llama-server slot as the dashboard shows it. */
export interface SlotView {
  slot: number;
  /** The lane key (`session/lane`) pinned to the slot, if any. */
  lane: string | undefined;
  laneKind: LaneKind | undefined;
  /** A request is running on the slot now. */
  busy: boolean;
}

export interface StreamOptions {
  model: string;
  signal: AbortSignal;
  lane?: LaneRef;
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
  /** Context window in tokens per request, when the backend reports it. */
  contextSize(signal?: AbortSignal): Promise<number | undefined>;
  close(): Promise<void>;
}
