/** bench:overhead's figures from its timings: medians, paired differences, the acceptance check, the table. */
import { bootstrapMedianInterval } from "../../src/bench/statistics.js";
import { median, percentile, printTable } from "../bench-support.js";
import type { RequestSize } from "./overhead-requests.js";

export type PathName =
  | "direct"
  | "bare relay"
  | "minimal translator"
  | "switchyard"
  | "baseline"
  | "claude-code-router";

export interface Timing {
  /** To the first delta carrying generated text. */
  ttfbMs: number;
  totalMs: number;
}

interface Summary {
  ttfbMs: { median: number; p90: number };
  totalMs: { median: number; p90: number };
}

interface Added {
  /** Medians of the paired differences with the direct run of the same round. */
  ttfbMs: number;
  totalMs: number;
  totalFractionOfDirect: number;
}

export interface Measurement {
  upstream: string;
  request: RequestSize;
  /** The Anthropic body's size. */
  requestBytes: number;
  paths: Partial<Record<PathName, Summary>>;
  /** What each path adds to the direct run; none for direct itself. */
  added: Partial<Record<PathName, Added>>;
  /**
   * Paired medians of Switchyard minus another path (negative: Switchyard is faster), and a 95 % bootstrap
   * interval of the time-to-first-delta median (how far this run's figure may be from the machine's).
   */
  switchyardOver: Partial<
    Record<
      "bare relay" | "minimal translator" | "baseline" | "claude-code-router",
      { ttfbMs: number; totalMs: number; ttfbIntervalMs: [number, number] }
    >
  >;
  /** After the run. */
  rssMiB: Partial<Record<"switchyard" | "claude-code-router", number>>;
}

/** Issue 16: Switchyard's added time to the first delta ≤ the bare relay's + this. */
const LIMIT_MS: Partial<Record<RequestSize, number>> = { "claude-code": 1.0, "one-message": 0.5 };

export interface Acceptance {
  upstream: string;
  request: RequestSize;
  relayAddsMs: number;
  switchyardAddsMs: number;
  claudeCodeRouterAddsMs?: number;
  /** What the minimal translator adds (bench/support/minimal-translator.ts), where it ran. */
  translatorAddsMs?: number;
  switchyardAboveRelayMs: number;
  /** 95 % bootstrap interval of Switchyard − relay, paired round by round. */
  aboveRelayIntervalMs: [number, number];
  limitMs: number;
  pass: boolean;
  /**
   * Whether the paired interval lies wholly on the verdict's side of the limit: a verdict whose interval
   * straddles the limit could go the other way in the next run (the real engine's spread does that).
   */
  settled: boolean;
}

const summary = (timings: Timing[]): Summary => {
  const of = (key: keyof Timing) => timings.map((timing) => timing[key]);
  return {
    ttfbMs: { median: median(of("ttfbMs")), p90: percentile(of("ttfbMs"), 0.9) },
    totalMs: { median: median(of("totalMs")), p90: percentile(of("totalMs"), 0.9) },
  };
};

const paired = (path: Timing[], base: Timing[], key: keyof Timing) =>
  path.map((timing, index) => timing[key] - (base[index]?.[key] ?? Number.NaN));
const pairedMedian = (path: Timing[], base: Timing[], key: keyof Timing) => median(paired(path, base, key));

export function summarizeRun(
  upstream: string,
  request: RequestSize,
  requestBytes: number,
  timings: Partial<Record<PathName, Timing[]>>,
  rssMiB: Measurement["rssMiB"],
): Measurement {
  const direct = timings.direct ?? [];
  const directTotal = median(direct.map((timing) => timing.totalMs));
  const measured = Object.entries(timings) as Array<[PathName, Timing[]]>;
  const added = Object.fromEntries(
    measured
      .filter(([path]) => path !== "direct")
      .map(([path, runs]) => {
        const totalMs = pairedMedian(runs, direct, "totalMs");
        const ttfbMs = pairedMedian(runs, direct, "ttfbMs");
        return [path, { ttfbMs, totalMs, totalFractionOfDirect: totalMs / directTotal }];
      }),
  );
  const switchyard = timings.switchyard ?? [];
  const switchyardOver = Object.fromEntries(
    measured
      .filter(([path]) => path !== "direct" && path !== "switchyard")
      .map(([path, runs]) => [
        path,
        {
          ttfbMs: pairedMedian(switchyard, runs, "ttfbMs"),
          totalMs: pairedMedian(switchyard, runs, "totalMs"),
          ttfbIntervalMs: bootstrapMedianInterval(paired(switchyard, runs, "ttfbMs").filter(Number.isFinite)),
        },
      ]),
  );
  return {
    upstream,
    request,
    requestBytes,
    paths: Object.fromEntries(measured.map(([path, runs]) => [path, summary(runs)])),
    added,
    switchyardOver,
    rssMiB,
  };
}

/**
 * The check on medians of added time, as the issue states it (relay adds X, Switchyard adds Y);
 * undefined for a request the issue sets no limit for.
 */
export function acceptance(result: Measurement): Acceptance | undefined {
  const relayAddsMs = result.added["bare relay"]?.ttfbMs ?? Number.NaN;
  const switchyardAddsMs = result.added.switchyard?.ttfbMs ?? Number.NaN;
  const limitMs = LIMIT_MS[result.request];
  if (limitMs === undefined) return undefined;
  const aboveRelayMs = switchyardAddsMs - relayAddsMs;
  const pass = aboveRelayMs <= limitMs;
  const [lower, upper] = result.switchyardOver["bare relay"]?.ttfbIntervalMs ?? [Number.NaN, Number.NaN];
  return {
    upstream: result.upstream,
    request: result.request,
    relayAddsMs,
    switchyardAddsMs,
    ...(result.added["claude-code-router"]
      ? { claudeCodeRouterAddsMs: result.added["claude-code-router"].ttfbMs }
      : {}),
    ...(result.added["minimal translator"] ? { translatorAddsMs: result.added["minimal translator"].ttfbMs } : {}),
    switchyardAboveRelayMs: aboveRelayMs,
    aboveRelayIntervalMs: [lower, upper],
    limitMs,
    pass,
    settled: pass ? upper <= limitMs : lower > limitMs,
  };
}

export function printMeasurement(result: Measurement, baseline: string | undefined): void {
  console.log(
    `\nupstream: ${result.upstream}; request: ${result.request} (${(result.requestBytes / 1024).toFixed(1)} KB)`,
  );
  printTable(
    [
      "path",
      "ttfb median ms",
      "ttfb p90 ms",
      "total median ms",
      "total p90 ms",
      "added ttfb ms",
      "added total ms",
      "RSS MiB",
    ],
    (Object.entries(result.paths) as Array<[PathName, Summary]>).map(([path, timing]) => {
      const added = result.added[path];
      const rss = path === "switchyard" || path === "claude-code-router" ? result.rssMiB[path] : undefined;
      return [
        path === "baseline" ? `baseline (${baseline})` : path,
        timing.ttfbMs.median,
        timing.ttfbMs.p90,
        timing.totalMs.median,
        timing.totalMs.p90,
        added ? added.ttfbMs : "-",
        added ? added.totalMs : "-",
        rss ?? "-",
      ];
    }),
  );
  for (const [path, over] of Object.entries(result.switchyardOver)) {
    console.log(
      `switchyard minus ${path} (paired medians; negative is faster): ttfb ${over.ttfbMs.toFixed(2)} ms (95 % interval ${over.ttfbIntervalMs.map((ms) => ms.toFixed(2)).join(" to ")}), total ${over.totalMs.toFixed(2)} ms`,
    );
  }
}
