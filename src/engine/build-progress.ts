/** Reads cmake/make/ninja progress from a build log line: "[ 45%] Building…" or "[12/180] Building…". */
export function parseBuildProgress(line: string): number | undefined {
  const percent = /^\[\s*(\d{1,3})%\]/.exec(line);
  if (percent) return Number(percent[1]);
  const steps = /^\[(\d+)\/(\d+)\]/.exec(line);
  if (steps) return Math.floor((Number(steps[1]) / Math.max(1, Number(steps[2]))) * 100);
  return undefined;
}
