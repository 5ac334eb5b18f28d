import { MIB } from "./byte-sizes.js";
import { engineDryRun } from "./engine-dry-run.js";
import { computeTotalMib, kvMib } from "./engine-memory-log.js";
import type { FitPlan } from "./fit-plan.js";

export interface MeasuredNumber {
  name: "weights" | "KV" | "state" | "compute" | "total";
  estimateMib: number;
  engineMib: number;
  /** (estimate − engine) / engine, or 0 when both are 0. */
  error: number;
}

/**
 * `fit --measure`: the engine's own dry run at the plan's flags, beside the estimate. The weights
 * column of the engine's table is whole MiB, so weights compare to within 1 MiB.
 */
export async function measurePlan(
  plan: FitPlan,
  options: { llamaServer: string; model: string; signal?: AbortSignal },
): Promise<MeasuredNumber[]> {
  const report = await engineDryRun({
    llamaServer: options.llamaServer,
    model: options.model,
    args: plan.flags,
    timeoutMs: 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const engineWeights = Object.values(report.breakdown).reduce((sum, row) => sum + row.model, 0);
  const estimate = plan.estimate;
  const rows: [MeasuredNumber["name"], number, number][] = [
    ["weights", estimate.weightsBytes / MIB, engineWeights],
    ["KV", estimate.kvBytes / MIB, kvMib(report)],
    ["state", estimate.stateBytes / MIB, report.stateMib],
    ["compute", estimate.computeBytes / MIB, computeTotalMib(report)],
  ];
  const total: [MeasuredNumber["name"], number, number] = [
    "total",
    rows.reduce((sum, row) => sum + row[1], 0),
    rows.reduce((sum, row) => sum + row[2], 0),
  ];
  return [...rows, total].map(([name, estimateMib, engineMib]) => ({
    name,
    estimateMib,
    engineMib,
    error: engineMib === 0 ? (estimateMib === 0 ? 0 : 1) : (estimateMib - engineMib) / engineMib,
  }));
}
