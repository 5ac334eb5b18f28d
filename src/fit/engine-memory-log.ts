/**
 * Reads what llama-server says about memory when it starts with `-lv 5` (its `--fit` step first loads
 * the model with no_alloc and prints what it would allocate; then the real load prints the weights'
 * buffer). Line formats are the engine's own: src/llama-kv-cache.cpp, src/llama-memory-recurrent.cpp,
 * src/llama-context.cpp (sched_reserve), src/llama-model.cpp (load_tensors), src/llama-model-loader.cpp
 * (overrides) and common/fit.cpp (common_memory_breakdown_print).
 */
export interface EngineMemoryReport {
  /** Each KV cache the dry run made (two for sliding-window models): MiB as printed, 2 decimals. */
  kvCaches: { mib: number; cells: number; layers: number; seqs: number; streams: number }[];
  /** Recurrent state (hybrids), MiB. */
  stateMib: number;
  /** Compute buffers of the dry run, per buffer type, MiB. */
  computeMib: Record<string, number>;
  /** The dry run's table, whole MiB (the engine truncates): rows such as Host and CPU_REPACK. */
  breakdown: Record<string, { model: number; context: number; compute: number }>;
  /** Weights' buffers of the real load that followed, MiB, per buffer name (CPU_Mapped, CUDA0, …). */
  weightsMib: Record<string, number>;
  /** Tensors `-ot` / `--n-cpu-moe` moved, with the buffer type they went to. */
  overrides: { tensor: string; buffer: string }[];
  /** The projection line of common_params_fit_impl when CPU-only, MiB. */
  projectedHostMib?: number;
}

const KV_SIZE = /llama_kv_cache: size =\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)\/(\d+) seqs\)/;
const STATE_SIZE = /llama_memory_recurrent: size =\s*([\d.]+) MiB/;
const COMPUTE = /sched_reserve:\s+(\S+) compute buffer size =\s*([\d.]+) MiB/;
/** A device row, template_gpu in common/fit.cpp: `| - NAME | total = free + (self = model + context + compute) + unaccounted |`. */
const DEVICE_ROW =
  /common_memory_breakdown_print: \|\s+- (.+?)\s+\|\s*\d+ =\s+\d+ \+ \(\s*\d+ =\s+(\d+) \+\s+(\d+) \+\s+(\d+)\) \+/;
/** Host and other buffer types, template_other: `| - NAME | self = model + context + compute |`. */
const BREAKDOWN_ROW =
  /common_memory_breakdown_print: \|\s+- (.+?)\s+\|.*?(\d+) =\s+(\d+) \+\s+(?:\(\s*\d+ =\s+)?(\d+) \+\s+(\d+)/;
const MODEL_BUFFER = /load_tensors:\s+(\S+) model buffer size =\s*([\d.]+) MiB/;
const OVERRIDE = /tensor (\S+) \(\d+ MiB \S+\) buffer type overridden to (\S+)/;
const PROJECTED = /projected to use (\d+) MiB of host memory/;

/** Accumulates lines; `phase` says how far the start-up has gone. */
export class EngineMemoryLog {
  readonly report: EngineMemoryReport = {
    kvCaches: [],
    stateMib: 0,
    computeMib: {},
    breakdown: {},
    weightsMib: {},
    overrides: [],
  };
  /** dry-run: still measuring; measured: the table is out; loading: the real load printed its weights. */
  phase: "dry-run" | "measured" | "loaded" = "dry-run";
  private readonly seenOverrides = new Set<string>();

  add(line: string): void {
    const override = OVERRIDE.exec(line);
    if (override?.[1] && override[2] && !this.seenOverrides.has(override[1])) {
      this.seenOverrides.add(override[1]);
      this.report.overrides.push({ tensor: override[1], buffer: override[2] });
    }
    if (this.phase === "dry-run") {
      this.addDryRunLine(line);
      return;
    }
    const projected = PROJECTED.exec(line);
    if (projected?.[1] && this.report.projectedHostMib === undefined) {
      this.report.projectedHostMib = Number(projected[1]);
    }
    const model = MODEL_BUFFER.exec(line);
    if (model?.[1] && model[2]) {
      this.report.weightsMib[model[1]] = (this.report.weightsMib[model[1]] ?? 0) + Number(model[2]);
      return;
    }
    // The real context is being made: every weights buffer has been printed.
    if (Object.keys(this.report.weightsMib).length > 0 && /^.*llama_context: /.test(line)) this.phase = "loaded";
  }

  private addDryRunLine(line: string): void {
    const kv = KV_SIZE.exec(line);
    if (kv) {
      const [, mib, cells, layers, seqs, streams] = kv;
      this.report.kvCaches.push({
        mib: Number(mib),
        cells: Number(cells),
        layers: Number(layers),
        seqs: Number(seqs),
        streams: Number(streams),
      });
      return;
    }
    const state = STATE_SIZE.exec(line);
    if (state?.[1]) {
      this.report.stateMib += Number(state[1]);
      return;
    }
    const compute = COMPUTE.exec(line);
    if (compute?.[1] && compute[2]) {
      this.report.computeMib[compute[1]] = Number(compute[2]);
      return;
    }
    const device = DEVICE_ROW.exec(line);
    if (device?.[1]) {
      this.report.breakdown[device[1].trim()] = {
        model: Number(device[2]),
        context: Number(device[3]),
        compute: Number(device[4]),
      };
      return;
    }
    const row = BREAKDOWN_ROW.exec(line);
    if (row?.[1]) {
      this.report.breakdown[row[1].trim()] = {
        model: Number(row[3]),
        context: Number(row[4]),
        compute: Number(row[5]),
      };
      return;
    }
    // The table ends the first measurement; fit may measure again at other settings, which we ignore.
    if (Object.keys(this.report.breakdown).length > 0 && !line.includes("common_memory_breakdown_print")) {
      this.phase = "measured";
      this.add(line);
    }
  }
}

export const kvMib = (report: EngineMemoryReport) => report.kvCaches.reduce((sum, cache) => sum + cache.mib, 0);
export const computeTotalMib = (report: EngineMemoryReport) =>
  Object.values(report.computeMib).reduce((sum, mib) => sum + mib, 0);
export const weightsTotalMib = (report: EngineMemoryReport) =>
  Object.values(report.weightsMib).reduce((sum, mib) => sum + mib, 0);
