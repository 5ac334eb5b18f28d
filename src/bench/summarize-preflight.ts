import type { BenchTarget } from "./bench-target.js";
import type { PreflightOptions, PreflightSample } from "./preflight.js";
import type { RequestMetrics } from "./request-metrics.js";
import { type Summary, summarize } from "./statistics.js";

/** One target at one depth, over its repetitions. Undefined: nothing measured (or the server did not say). */
export interface DepthSummary {
  depth: number;
  promptTokens: number | undefined;
  exactDepth: boolean;
  coldTtftMs: Summary | undefined;
  warmTtftMs: Summary | undefined;
  /** Median cold ÷ median warm time to first token. */
  warmGain: number | undefined;
  decodeTokensPerSecond: Summary | undefined;
  serverPrefillTokensPerSecond: Summary | undefined;
  serverDecodeTokensPerSecond: Summary | undefined;
  interTokenP50Ms: Summary | undefined;
  interTokenP99Ms: Summary | undefined;
  /** Reuse of the warm requests; undefined ("unknown") when any warm answer did not report it. */
  warmReusePercent: Summary | undefined;
  overheadMs: Summary | undefined;
  errors: string[];
}

export interface Verdict {
  pass: boolean | undefined;
  decodeP50: number | undefined;
  /** The deepest depth with warm measurements, and its median warm time to first token. */
  depth: number | undefined;
  warmTtftMs: number | undefined;
  text: string;
}

export interface TargetSummary {
  name: string;
  kind: BenchTarget["kind"];
  url: string;
  depths: DepthSummary[];
  verdict: Verdict;
}

export interface PreflightSummary {
  targets: TargetSummary[];
  /** Target names, best first: passing the verdict, then faster decode, then quicker warm first token. */
  ranking: string[];
}

type Metric = (metrics: RequestMetrics) => number | undefined;

function series(samples: PreflightSample[], pick: Metric, seed: number): Summary | undefined {
  return summarize(
    samples.map((sample) => pick(sample.metrics)).filter((value): value is number => value !== undefined),
    seed,
  );
}

export const formatDepth = (tokens: number) =>
  tokens >= 1024 && tokens % 1024 === 0 ? `${tokens / 1024}k` : String(tokens);

function depthSummary(depth: number, samples: PreflightSample[], seed: number): DepthSummary {
  const ok = samples.filter((sample) => !sample.metrics.error);
  const cold = ok.filter((sample) => sample.kind === "cold");
  const warm = ok.filter((sample) => sample.kind === "warm");
  const coldTtftMs = series(cold, (metrics) => metrics.ttftMs, seed);
  const warmTtftMs = series(warm, (metrics) => metrics.ttftMs, seed);
  const reuseKnown = warm.length > 0 && warm.every((sample) => sample.metrics.reusePercent !== undefined);
  return {
    depth,
    promptTokens: samples[0]?.promptTokens,
    exactDepth: samples.every((sample) => sample.exactDepth),
    coldTtftMs,
    warmTtftMs,
    warmGain: coldTtftMs && warmTtftMs && warmTtftMs.median > 0 ? coldTtftMs.median / warmTtftMs.median : undefined,
    decodeTokensPerSecond: series(ok, (metrics) => metrics.decodeTokensPerSecond, seed),
    serverPrefillTokensPerSecond: series(cold, (metrics) => metrics.serverPrefillTokensPerSecond, seed),
    serverDecodeTokensPerSecond: series(ok, (metrics) => metrics.serverDecodeTokensPerSecond, seed),
    interTokenP50Ms: series(ok, (metrics) => metrics.interTokenP50Ms, seed),
    interTokenP99Ms: series(ok, (metrics) => metrics.interTokenP99Ms, seed),
    warmReusePercent: reuseKnown ? series(warm, (metrics) => metrics.reusePercent, seed) : undefined,
    overheadMs: series(ok, (metrics) => metrics.overheadMs, seed),
    errors: samples.flatMap((sample) => (sample.metrics.error ? [sample.metrics.error] : [])),
  };
}

function verdict(depths: DepthSummary[], samples: PreflightSample[], options: VerdictOptions): Verdict {
  const decode = series(
    samples.filter((sample) => !sample.metrics.error),
    (metrics) => metrics.decodeTokensPerSecond,
    options.seed,
  );
  const deepest = [...depths].reverse().find((depth) => depth.warmTtftMs !== undefined);
  const decodeP50 = decode?.median;
  const warmTtftMs = deepest?.warmTtftMs?.median;
  if (decodeP50 === undefined || warmTtftMs === undefined || deepest === undefined)
    return { pass: undefined, decodeP50, depth: deepest?.depth, warmTtftMs, text: "no verdict: nothing was measured" };
  const decodeOk = decodeP50 >= options.minDecode;
  const ttftOk = warmTtftMs <= options.maxWarmTtftMs;
  const text = `${decodeOk && ttftOk ? "PASS" : "FAIL"}: decode p50 ${decodeP50.toFixed(1)} tok/s ${decodeOk ? "≥" : "<"} ${options.minDecode}; warm time to first token at ${formatDepth(deepest.promptTokens ?? deepest.depth)} tokens ${(warmTtftMs / 1000).toFixed(2)} s ${ttftOk ? "≤" : ">"} ${(options.maxWarmTtftMs / 1000).toFixed(0)} s`;
  return { pass: decodeOk && ttftOk, decodeP50, depth: deepest.depth, warmTtftMs, text };
}

type VerdictOptions = Pick<PreflightOptions, "seed" | "minDecode" | "maxWarmTtftMs">;

export function summarizePreflight(
  targets: BenchTarget[],
  samples: PreflightSample[],
  options: Pick<PreflightOptions, "seed" | "minDecode" | "maxWarmTtftMs" | "depths">,
): PreflightSummary {
  const summaries = targets.map((target) => {
    const mine = samples.filter((sample) => sample.target === target.name);
    const depths = options.depths
      .map((depth) => mine.filter((sample) => sample.depth === depth))
      .filter((group) => group.length > 0)
      .map((group) => depthSummary((group[0] as PreflightSample).depth, group, options.seed));
    return {
      name: target.name,
      kind: target.kind,
      url: target.baseUrl,
      depths,
      verdict: verdict(depths, mine, options),
    };
  });
  const score = (summary: TargetSummary) => [
    summary.verdict.pass === true ? 0 : 1,
    -(summary.verdict.decodeP50 ?? -Infinity),
    summary.verdict.warmTtftMs ?? Infinity,
  ];
  const ranking = [...summaries]
    .sort((a, b) => {
      const [left, right] = [score(a), score(b)];
      for (let index = 0; index < left.length; index++)
        if (left[index] !== right[index]) return (left[index] as number) - (right[index] as number);
      return 0;
    })
    .map((summary) => summary.name);
  return { targets: summaries, ranking };
}
