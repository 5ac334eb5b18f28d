import { randomUUID } from "node:crypto";
import type { BenchTarget } from "./bench-target.js";
import { fillerWords, promptOfDepth, tokenCounter } from "./prompt-tokens.js";
import { type BenchMessage, benchRequestBody } from "./request-body.js";
import { type RequestMetrics, requestMetrics } from "./request-metrics.js";
import { sendMeasuredRequest } from "./send-measured-request.js";
import { type PreflightSummary, summarizePreflight } from "./summarize-preflight.js";
import { switchyardTurnTimings, targetContextWindow } from "./target-context.js";

export interface PreflightOptions {
  /** Prompt depths in tokens; 0 is a one-line prompt. */
  depths: number[];
  reps: number;
  /** Tokens the warm request adds to the cold one's prompt. */
  warmAppend: number;
  maxTokens: number;
  minDecode: number;
  /** The warm time to first token the verdict accepts at the deepest depth measured. */
  maxWarmTtftMs: number;
  /** Seeds the filler text and the bootstrap. */
  seed: number;
  /** The run starts no request after this many milliseconds and aborts the one in flight. */
  budgetMs?: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface PreflightSample {
  target: string;
  depth: number;
  rep: number;
  kind: "cold" | "warm";
  /** The prompt's length on the target, and whether its tokenizer counted it (else an estimate). */
  promptTokens: number;
  exactDepth: boolean;
  /** For a Switchyard target: the gateway's own time to first token, from its turn record. */
  gatewayTtftMs?: number;
  metrics: RequestMetrics;
}

export interface PreflightReport extends PreflightSummary {
  startedAt: string;
  wallMs: number;
  options: Omit<PreflightOptions, "signal" | "onProgress">;
  /** Why the run ended before every request was made. */
  stoppedBy?: "budget" | "interrupted";
  skipped: Array<{ target: string; depth: number; reason: string }>;
  samples: PreflightSample[];
}

interface Pair {
  target: BenchTarget;
  depth: number;
  rep: number;
}

/**
 * The pre-flight: at each depth, for each repetition, each target gets a cold request (a unique nonce
 * first, then filler to the depth) and a warm one: the same conversation, its answer and a new user
 * message of `warmAppend` tokens, in the same session so on the same lane. The warm prompt extends the
 * cold one as an agent's next turn does; on a hybrid model nothing shorter can be reused. Targets alternate request by request, so an endpoint that drifts is sampled across
 * the run rather than in one block.
 */
export async function runPreflight(targets: BenchTarget[], options: PreflightOptions): Promise<PreflightReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const budget = options.budgetMs === undefined ? undefined : AbortSignal.timeout(options.budgetMs);
  const stops = [options.signal, budget].filter((signal): signal is AbortSignal => signal !== undefined);
  const stop = stops.length > 0 ? AbortSignal.any(stops) : undefined;
  const skipped: PreflightReport["skipped"] = [];
  const contexts = new Map<string, number | undefined>();
  for (const target of targets) contexts.set(target.name, await targetContextWindow(target, stop));
  const pairs: Pair[] = [];
  for (const depth of options.depths)
    for (const target of targets) {
      const window = contexts.get(target.name);
      if (window !== undefined && depth + options.warmAppend + options.maxTokens > window)
        skipped.push({ target: target.name, depth, reason: `beyond its context window (${window} tokens)` });
    }
  for (const depth of options.depths)
    for (let rep = 0; rep < options.reps; rep++)
      for (const target of targets)
        if (!skipped.some((skip) => skip.target === target.name && skip.depth === depth))
          pairs.push({ target, depth, rep });

  const samples: PreflightSample[] = [];
  const counters = new Map(targets.map((target) => [target.name, tokenCounter(target, stop)]));
  const lastWords = new Map<string, number>();
  let stoppedBy: PreflightReport["stoppedBy"];
  for (const [index, pair] of pairs.entries()) {
    options.onProgress?.(index, pairs.length, `${pair.target.name} depth ${pair.depth} rep ${pair.rep + 1}`);
    try {
      stop?.throwIfAborted();
      samples.push(...(await measurePair(pair, options, counters, lastWords, stop)));
    } catch (error) {
      if (options.signal?.aborted) stoppedBy = "interrupted";
      else if (budget?.aborted) stoppedBy = "budget";
      else throw error;
      break;
    }
  }
  options.onProgress?.(samples.length / 2, pairs.length, stoppedBy ?? "done");
  const { signal: _signal, onProgress: _onProgress, ...kept } = options;
  return {
    startedAt,
    wallMs: performance.now() - started,
    options: kept,
    stoppedBy,
    skipped,
    samples,
    ...summarizePreflight(targets, samples, options),
  };
}

async function measurePair(
  { target, depth, rep }: Pair,
  options: PreflightOptions,
  counters: Map<string, ReturnType<typeof tokenCounter>>,
  lastWords: Map<string, number>,
  stop: AbortSignal | undefined,
): Promise<PreflightSample[]> {
  const nonce = randomUUID().slice(0, 8);
  const key = `${target.name}/${depth}`;
  const prompt = await promptOfDepth(
    counters.get(target.name) as ReturnType<typeof tokenCounter>,
    `${nonce}\n`,
    depth,
    options.seed,
    lastWords.get(key),
  );
  lastWords.set(key, prompt.words);
  const sessionId = `bench-${nonce}`;
  const samples: PreflightSample[] = [];
  const conversation: BenchMessage[] = [{ role: "user", content: prompt.text }];
  for (const kind of ["cold", "warm"] as const) {
    const { measurement } = await sendMeasuredRequest(
      { baseUrl: target.baseUrl, wire: target.wire, headers: target.headers },
      benchRequestBody(target, conversation, options.maxTokens),
      { signal: stop, timeoutMs: options.requestTimeoutMs, headers: { "x-session-id": sessionId } },
    );
    const recorded =
      target.kind === "switchyard"
        ? await switchyardTurnTimings(target, sessionId, kind === "cold" ? 1 : 2, stop)
        : undefined;
    samples.push({
      target: target.name,
      depth,
      rep,
      kind,
      promptTokens: prompt.tokens,
      exactDepth: prompt.exact,
      ...(recorded ? { gatewayTtftMs: recorded.gatewayTtftMs } : {}),
      metrics: requestMetrics(measurement, recorded?.timings ?? measurement.timings),
    });
    // The warm turn is the next turn of the same conversation, as an agent sends it: what the cold one
    // answered, then a new user message.
    conversation.push(
      { role: "assistant", content: measurement.text || "." },
      { role: "user", content: fillerWords(options.warmAppend, options.seed + 1).trimStart() },
    );
  }
  return samples;
}
