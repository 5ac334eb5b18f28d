import type { CanonicalEvent, CanonicalRequest } from "../core/canonical.js";

export type BackendKind = "llama-server" | "anthropic";

export interface TokenCount {
  tokens: number;
  /** False when the backend cannot tokenize and the number is an estimate. */
  exact: boolean;
}

export interface BackendHealth {
  ok: boolean;
  detail: string;
}

/**
 * A backend adapter speaks one upstream wire protocol. `stream` throws a SwitchyardError when the
 * upstream fails before answering (so the edge can still send a real HTTP status); once it has
 * yielded `message_start`, failures arrive as a final `error` event instead.
 */
export interface Backend {
  readonly name: string;
  readonly kind: BackendKind;
  readonly baseUrl: string;
  /** True for backends on this machine (cost nothing per token, keep a prefix cache). */
  readonly local: boolean;
  listModels(signal?: AbortSignal): Promise<string[]>;
  stream(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): AsyncIterable<CanonicalEvent>;
  countTokens(request: CanonicalRequest, options: { model: string; signal: AbortSignal }): Promise<TokenCount>;
  health(signal?: AbortSignal): Promise<BackendHealth>;
  /** Context window in tokens per request, when the backend reports it. */
  contextSize(signal?: AbortSignal): Promise<number | undefined>;
  close(): Promise<void>;
}
