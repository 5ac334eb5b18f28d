import { EventEmitter } from "node:events";
import type { CanonicalEvent } from "../core/canonical.js";
import { SwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";
import { SlowestRecent } from "../util/slowest-recent.js";

/** A clock for the deadline's timer, injectable so tests can let twelve minutes pass at once. */
export interface DeadlineTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const REAL_TIMERS: DeadlineTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A local backend's headers timeout, and the least its prefill deadline allows (`timeouts.headersMs` overrides). */
export const LOCAL_HEADERS_TIMEOUT_MS = 600_000;
/** Prefill speed assumed until the backend has been measured: slow for a CPU, so a first long prompt is not cut. */
export const ASSUMED_PREFILL_TOKENS_PER_SECOND = 50;
/** The deadline allows this many times the expected prefill. */
export const PREFILL_SAFETY_FACTOR = 2;
/** Request body bytes per prompt token, on the low side (text runs 3–4 bytes a token), so tokens are overestimated. */
export const BODY_BYTES_PER_TOKEN = 3;
/** Measurements kept; the slowest of them is used (a busy machine, a cold cache). */
const SPEEDS_KEPT = 16;
/** Prompts shorter than this say more about per-request overhead than about prefill speed. */
const MIN_MEASURED_TOKENS = 64;

/**
 * How long a local backend may take to send its response headers, which it does only after prefilling
 * the prompt: a CPU at 100 tokens/s needs 15 minutes for 90K tokens, so one fixed timeout either cuts
 * long prompts or waits far too long for a hung server on short ones. The rule:
 *
 *   deadline = max(floor, SAFETY × estimated prompt tokens ÷ slowest measured prefill speed)
 *
 * with the floor the backend's `timeouts.headersMs` (10 minutes by default), prompt tokens estimated as
 * body bytes ÷ 3, and the speed taken from the backend's own timings on earlier turns (50 tokens/s until
 * it has any). When it fires, the request is aborted and the turn fails with `prefill_timeout`, its
 * message giving the deadline and how it was reached.
 */
export class PrefillDeadline {
  private readonly speeds = new SlowestRecent(SPEEDS_KEPT);
  private readonly timers: DeadlineTimers;

  constructor(
    private readonly floorMs: number,
    timers?: DeadlineTimers,
  ) {
    this.timers = timers ?? REAL_TIMERS;
  }

  /** Learns the backend's prefill speed from a finished turn's timings. */
  observe(event: CanonicalEvent): void {
    if (event.type !== "done") return;
    const prefilled = event.usage.inputTokens;
    const promptMs = event.timings?.promptMs;
    if (prefilled < MIN_MEASURED_TOKENS || !promptMs || promptMs <= 0) return;
    this.speeds.add(event.timings?.promptPerSecond ?? (prefilled * 1000) / promptMs);
  }

  /** The speed the rule uses, and whether it was measured. */
  tokensPerSecond(): { value: number; measured: boolean } {
    const slowest = this.speeds.slowest();
    return slowest === undefined
      ? { value: ASSUMED_PREFILL_TOKENS_PER_SECOND, measured: false }
      : { value: slowest, measured: true };
  }

  /** The deadline in milliseconds for a request body of `bodyBytes`. */
  deadlineMs(bodyBytes: number): number {
    const tokens = Math.ceil(bodyBytes / BODY_BYTES_PER_TOKEN);
    const expectedMs = (tokens / this.tokensPerSecond().value) * 1000;
    return Math.max(this.floorMs, Math.ceil(PREFILL_SAFETY_FACTOR * expectedMs));
  }

  /**
   * Runs `send` (the request, up to its response headers) under the deadline for `bodyBytes`, aborting
   * it when the deadline passes, and notes the deadline in the backend's `facts`. The caller's `signal`
   * still aborts it.
   */
  async run<T>(
    bodyBytes: number,
    signal: AbortSignal | undefined,
    backendName: string,
    facts: TurnFacts | undefined,
    send: (signal: UpstreamAbort) => Promise<T>,
  ): Promise<T> {
    const deadlineMs = this.deadlineMs(bodyBytes);
    if (facts) facts.prefillDeadlineMs = deadlineMs;
    // One abort that the deadline and the caller's signal both fire; it stays tied to the caller's signal
    // after the headers, since the answer's body streams under it.
    const combined = new UpstreamAbort();
    let expired = false;
    if (signal?.aborted) combined.abort(signal.reason);
    let tied = false;
    const tie = () => {
      if (tied) return;
      tied = true;
      if (signal?.aborted) combined.abort(signal.reason);
      else signal?.addEventListener("abort", () => combined.abort(signal.reason), { once: true });
    };
    let timer: unknown;
    // The request goes out first. On a kept-alive connection undici writes it from an immediate of its own
    // (it first lets the event loop read what the idle socket may hold), queued inside `send`; the tie to
    // the caller's signal and the deadline's timer are set up in the next immediate, once it is written,
    // so their cost (~70 µs with the code cold) is not on the way to the upstream. A signal aborted in
    // between is seen then; a deadline minutes long starts microseconds later.
    const sent = send(combined);
    const arm = setImmediate(() => {
      tie();
      timer = this.timers.set(() => {
        expired = true;
        combined.abort(new Error("prefill deadline passed"));
      }, deadlineMs);
    });
    try {
      return await sent;
    } catch (error) {
      if (!expired || signal?.aborted) throw error;
      const speed = this.tokensPerSecond();
      throw new SwitchyardError(
        `${backendName} sent no response headers within ${Math.round(deadlineMs / 1000)} s (prefill deadline for ~${Math.ceil(bodyBytes / BODY_BYTES_PER_TOKEN)} prompt tokens at ${Math.round(speed.value)} tokens/s ${speed.measured ? "measured" : "assumed"}, ×${PREFILL_SAFETY_FACTOR}, at least ${Math.round(this.floorMs / 1000)} s)`,
        { kind: "timeout", code: "prefill_timeout", cause: error },
      );
    } finally {
      clearImmediate(arm);
      // The answer's body streams under the caller's signal, so it is tied now if the headers came first.
      tie();
      if (timer !== undefined) this.timers.clear(timer);
    }
  }
}

/**
 * An abort for one upstream request, in the form undici takes besides AbortSignal (an EventEmitter that
 * emits `abort`, with `aborted` and `reason` read as a signal's): an AbortController, or AbortSignal.any,
 * costs several times as much to make, and one is made for every generation.
 */
export class UpstreamAbort extends EventEmitter {
  aborted = false;
  reason: unknown;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit("abort");
  }
}

/**
 * Passes a backend's events through, letting the deadline learn the prefill speed from each finished
 * turn; `onEnd` runs once when they end, fail or the reader stops (the backend frees what it held for
 * the turn). A plain iterator rather than an async generator: it sits on every event's way to the
 * client, and a generator layer costs several promise hops per event where this costs one.
 */
export function measuringPrefill(
  events: AsyncIterable<CanonicalEvent>,
  deadline: PrefillDeadline,
  onEnd?: () => void,
): AsyncIterableIterator<CanonicalEvent> {
  const iterator = events[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  const observe = (item: IteratorResult<CanonicalEvent>) => {
    if (item.done) end();
    else deadline.observe(item.value);
    return item;
  };
  const fail = (error: unknown): never => {
    end();
    throw error;
  };
  const reader: AsyncIterableIterator<CanonicalEvent> = {
    [Symbol.asyncIterator]: () => reader,
    next: () => iterator.next().then(observe, fail),
    // A reader that stops early ends the backend's request.
    return: async (value?: unknown) => {
      try {
        return (await iterator.return?.(value)) ?? { done: true, value: value as CanonicalEvent };
      } finally {
        end();
      }
    },
  };
  return reader;
}
