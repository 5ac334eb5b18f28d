import { readFileSync } from "node:fs";
import { EngineSupervisor } from "../engine/engine-supervisor.js";
import type { BenchTarget } from "./bench-target.js";
import { type PreflightOptions, type PreflightReport, runPreflight } from "./preflight.js";

/** `--flag ubatch=128,512` or `--flag threads=2..4`: a llama-server flag and the values to try. */
export interface FlagSweep {
  name: string;
  /** The llama-server argument, e.g. `--ubatch-size`. */
  argument: string;
  values: string[];
}

/** Short names people use for llama-server's long flags; anything else is passed as `--NAME`. */
const FLAG_ALIASES: Record<string, string> = {
  ubatch: "--ubatch-size",
  batch: "--batch-size",
  ctx: "--ctx-size",
  threads: "--threads",
  "threads-batch": "--threads-batch",
  ngl: "--n-gpu-layers",
  "cpu-moe": "--n-cpu-moe",
  parallel: "--parallel",
};

export function parseFlagSweep(text: string): FlagSweep {
  const match = /^\s*(-{0,2}[a-z][a-z0-9-]*)=(.+)$/i.exec(text);
  if (!match) throw new Error(`--flag: "${text}" is not NAME=V1,V2 or NAME=A..B`);
  const name = (match[1] as string).replace(/^-+/, "");
  const spec = match[2] as string;
  const range = /^(\d+)\.\.(\d+)$/.exec(spec);
  const values = range
    ? Array.from({ length: Math.abs(Number(range[2]) - Number(range[1])) + 1 }, (_, index) =>
        String(Math.min(Number(range[1]), Number(range[2])) + index),
      )
    : spec.split(",").map((value) => value.trim());
  if (values.length === 0 || values.some((value) => value === "")) throw new Error(`--flag: no values in "${text}"`);
  return { name, argument: FLAG_ALIASES[name] ?? `--${name}`, values };
}

export interface SweepRow {
  value: string;
  report: PreflightReport;
  /** The engine's peak resident memory (Linux VmHWM) over the run, bytes; undefined where /proc has none. */
  peakRssBytes?: number;
}

/** Peak resident set of a process from /proc (Linux), bytes. */
function peakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface SweepOptions extends Omit<PreflightOptions, "depths"> {
  binary: string;
  model: string;
  /** llama-server arguments every launch gets (the flag under test is appended, so it wins). */
  baseArgs: string[];
  depth: number;
  readyTimeoutMs?: number;
  onLaunch?: (value: string, url: string) => void;
}

/**
 * Launches llama-server once per value (one at a time, so each has the machine to itself), loads the
 * context to `depth` with a cold and a warm pre-flight pair per repetition, and stops it.
 */
export async function runSweep(sweep: FlagSweep, options: SweepOptions): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const value of sweep.values) {
    options.signal?.throwIfAborted();
    const engine = await EngineSupervisor.start({
      binary: options.binary,
      model: options.model,
      args: [...options.baseArgs, sweep.argument, value],
      readyTimeoutMs: options.readyTimeoutMs,
      maxRestarts: 0,
    });
    try {
      options.onLaunch?.(value, engine.url);
      const target: BenchTarget = {
        name: `${sweep.name}=${value}`,
        kind: "llama-server",
        baseUrl: engine.url,
        wire: "openai",
        model: "default",
        local: true,
        headers: {},
      };
      const report = await runPreflight([target], { ...options, depths: [options.depth] });
      const peakRssBytes = peakRss(engine.pid);
      rows.push({ value, report, ...(peakRssBytes === undefined ? {} : { peakRssBytes }) });
    } finally {
      await engine.stop();
    }
  }
  return rows;
}
