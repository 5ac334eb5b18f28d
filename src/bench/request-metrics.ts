import type { ServerTimings, StreamMeasurement } from "./measure-stream.js";
import { percentile } from "./statistics.js";

/** The numbers one measured request contributes to a bench table. Undefined means "the server did not say". */
export interface RequestMetrics {
  /** Client time to the first generated content. */
  ttftMs: number | undefined;
  /** Client time to the first byte of the answer's body (an Anthropic stream's `message_start`). */
  firstByteMs: number | undefined;
  /** Client decode speed: tokens after the first ÷ time from the first to the last content event. */
  decodeTokensPerSecond: number | undefined;
  /** Gaps between consecutive content events. */
  interTokenP50Ms: number | undefined;
  interTokenP99Ms: number | undefined;
  promptTokens: number | undefined;
  reusedTokens: number | undefined;
  /** reused ÷ prompt × 100; undefined (unknown, never 0) when the server does not report reuse. */
  reusePercent: number | undefined;
  outputTokens: number | undefined;
  /** From the server's timings: `prompt_n ÷ prompt_ms` and `predicted_n ÷ predicted_ms`. */
  serverPrefillTokensPerSecond: number | undefined;
  serverDecodeTokensPerSecond: number | undefined;
  serverPromptMs: number | undefined;
  /** Client time to first token minus the server's `prompt_ms`: what the path adds beyond prefill. */
  overheadMs: number | undefined;
  error: string | undefined;
}

const perSecond = (count: number | undefined, ms: number | undefined) =>
  count !== undefined && ms !== undefined && ms > 0 ? (count / ms) * 1000 : undefined;

/**
 * Metrics of one request. `timings` overrides the stream's (a Switchyard target's turn record carries
 * the backend's timings, which its Anthropic stream does not).
 */
export function requestMetrics(measured: StreamMeasurement, timings = measured.timings): RequestMetrics {
  const times = measured.contentTimesMs;
  const first = times[0];
  const last = times.at(-1);
  const gaps = times.slice(1).map((time, index) => time - (times[index] as number));
  // Usage counts tokens; a cloud may send several in one event, so prefer it over counting events.
  const tokens = measured.outputTokens ?? times.length;
  const span = first !== undefined && last !== undefined ? last - first : 0;
  const reused = measured.reusedTokens;
  const prompt =
    measured.promptTokens ?? (timings?.promptN !== undefined ? timings.promptN + (timings.cacheN ?? 0) : undefined);
  return {
    ttftMs: first,
    firstByteMs: measured.firstByteMs,
    decodeTokensPerSecond: span > 0 && tokens > 1 ? ((tokens - 1) / span) * 1000 : undefined,
    interTokenP50Ms: gaps.length > 0 ? percentile(gaps, 0.5) : undefined,
    interTokenP99Ms: gaps.length > 0 ? percentile(gaps, 0.99) : undefined,
    promptTokens: prompt,
    reusedTokens: reused,
    reusePercent: reused !== undefined && prompt ? (reused / prompt) * 100 : undefined,
    outputTokens: measured.outputTokens,
    serverPrefillTokensPerSecond: perSecond(timings?.promptN, timings?.promptMs),
    serverDecodeTokensPerSecond: perSecond(timings?.predictedN, timings?.predictedMs),
    serverPromptMs: timings?.promptMs,
    overheadMs: first !== undefined && timings?.promptMs !== undefined ? first - timings.promptMs : undefined,
    error: measured.error,
  };
}

export type { ServerTimings };
