import type { RateLimitInfo } from "./rate-limit.js";

/**
 * What a backend did with one turn, for the turn record. A backend reports them on its `message_start`,
 * or on the error when it failed before one (canonical.ts, errors.ts); nothing is shared between the
 * backend and the gateway while the turn runs.
 */
export interface TurnFacts {
  slot?: number;
  /** The lane had no slot, or had lost it, so its prefix was not in that slot. */
  slotReassigned?: boolean;
  /** The lane that took this lane's slot since its last turn. */
  displacedBy?: string;
  /**
   * The lane got a slot no lane held, and the prompt of another lane's slot, which shares its head, was
   * copied into it first (backends/llama-server/prefix-copy.ts): from which slot and lane, tokens and
   * bytes, time.
   */
  prefixCopy?: { fromSlot: number; fromLane: string; tokens: number; bytes: number; ms: number };
  /** False when the backend's template re-renders earlier turns (probed), which explains some misses. */
  templateAppendOnly?: boolean;
  /** The model family the backend's template belongs to (src/families/model-families.ts), when recognised. */
  templateFamily?: string;
  /** The upstream's rate-limit headers on its answer. */
  rateLimit?: RateLimitInfo;
  /** `max_tokens` lowered by the backend to the room its server said the context left. */
  maxTokensClamped?: { from: number; to: number };
  /** The headers deadline a local generation was given (backends/prefill-deadline.ts). */
  prefillDeadlineMs?: number;
  /**
   * What the server behind the backend's URL served (llama-server: model, template, context, slots), for a
   * server that can be restarted as something else: `id` differs when any of it does, and when the
   * server's cache was seen emptied since (`emptied` says how: it slept, the router unloaded the model).
   */
  server?: { id: string; described: string; emptied?: string };
}
