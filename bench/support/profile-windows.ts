/**
 * BENCH_PROFILE with BENCH_TRACE: which functions a gateway ran inside each request's own windows (seen →
 * upstream request, first text in → first delta out), read from its CPU profile against the moments
 * trace-hops.mjs stamped on the same monotonic clock the profiler stamps its samples with. A profile of the
 * whole run is mostly the stream's later tokens and the recording after it; this is what stands between a
 * request and its upstream, and between the first token and the client.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { printTable } from "../bench-support.js";
import { REQUEST_SIZES } from "./overhead-requests.js";
import { readTraced, sizeOf } from "./trace-table.js";

/** The parts of a V8 CPU profile (`--cpu-prof`) read here. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface WindowTimes {
  windows: number;
  /** Sampled time inside the windows that was not idle, µs. */
  busyUs: number;
  /** µs per function (`name file:line`) at the top of the stack, and anywhere on it. */
  self: Map<string, number>;
  inclusive: Map<string, number>;
}

/** `name file:line`; the file for code in one (node internals, this checkout), the line where V8 knows it. */
const label = (frame: CpuProfile["nodes"][number]["callFrame"]) =>
  [
    frame.functionName || "(anonymous)",
    frame.url && ` ${frame.url.replace(/^.*?\/(src|dist|node_modules|bench)\//, "$1/")}`,
    frame.lineNumber > 0 && `:${frame.lineNumber + 1}`,
  ]
    .filter(Boolean)
    .join("");

/**
 * Each sample's time (to the next sample) credited to its stack when the sample falls inside one of the
 * `windows` ([start, end] µs, the profile's clock); samples outside every window are left out.
 */
export function timesInWindows(profile: CpuProfile, windows: Array<[number, number]>): WindowTimes {
  const sorted = [...windows].sort((a, b) => a[0] - b[0]);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const times: WindowTimes = { windows: sorted.length, busyUs: 0, self: new Map(), inclusive: new Map() };
  let at = profile.startTime;
  let index = 0;
  for (let sample = 0; sample < profile.samples.length; sample++) {
    at += profile.timeDeltas[sample] ?? 0;
    const spent = profile.timeDeltas[sample + 1] ?? 0;
    while (index < sorted.length && (sorted[index] as [number, number])[1] < at) index++;
    const window = sorted[index];
    if (!window || at < window[0]) continue;
    const leaf = nodes.get(profile.samples[sample] as number);
    if (!leaf || leaf.callFrame.functionName === "(idle)") continue;
    times.busyUs += spent;
    const own = label(leaf.callFrame);
    times.self.set(own, (times.self.get(own) ?? 0) + spent);
    const counted = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = label((nodes.get(id) as CpuProfile["nodes"][number]).callFrame);
      if (name.startsWith("(root)") || counted.has(name)) continue;
      counted.add(name);
      times.inclusive.set(name, (times.inclusive.get(name) ?? 0) + spent);
    }
  }
  return times;
}

interface TracedRequest {
  bytes: number;
  clock?: Partial<Record<"seen" | "upstreamCreated" | "firstTextIn" | "firstDeltaOut", number>>;
}

const WINDOWS = [
  ["seen → upstream request", "seen", "upstreamCreated"],
  ["first text in → first delta out", "firstTextIn", "firstDeltaOut"],
] as const;

/**
 * For each traced gateway whose profile is in `profiles` (its main thread's, named with its pid by
 * `--cpu-prof`), the `top` functions by own time in each window, per request size; `skip` leaves out each
 * size's first (warm-up) requests. Read once the gateways have exited.
 */
export function printProfileWindows(profiles: string, traces: string, skip: number, top = 15): void {
  const gateways = readdirSync(traces).filter((name) => /^gateway-\d+\.jsonl$/.test(name));
  for (const file of gateways) {
    const pid = file.replace(/\D/g, "");
    // Written when the gateway exited (the bench has stopped it by now).
    const name = existsSync(profiles)
      ? readdirSync(profiles).find((entry) => entry.endsWith(".cpuprofile") && entry.includes(`.${pid}.0.`))
      : undefined;
    if (!name) {
      console.log(`\n${file}: no CPU profile of pid ${pid} in ${profiles}`);
      continue;
    }
    const profile = JSON.parse(readFileSync(join(profiles, name), "utf8")) as CpuProfile;
    const requests = readTraced<TracedRequest>(join(traces, file));
    for (const size of REQUEST_SIZES) {
      const measured = requests.filter((request) => sizeOf(request.bytes) === size).slice(skip);
      for (const [title, from, to] of WINDOWS) {
        const windows = measured.flatMap((request): Array<[number, number]> => {
          const start = request.clock?.[from];
          const end = request.clock?.[to];
          return start !== undefined && end !== undefined ? [[start, end]] : [];
        });
        if (windows.length === 0) continue;
        const times = timesInWindows(profile, windows);
        const perRequest = (us: number) => (us / times.windows).toFixed(1);
        console.log(
          `\n${file.replace(/\.jsonl$/, "")}, ${size}, ${title}: ${perRequest(times.busyUs)} µs sampled per request (${times.windows} requests; CPU profile ${name})`,
        );
        printTable(
          ["function", "own µs per request", "with callees µs per request"],
          [...times.self]
            .sort((a, b) => b[1] - a[1])
            .slice(0, top)
            .map(([fn, us]) => [fn, perRequest(us), perRequest(times.inclusive.get(fn) ?? us)]),
        );
      }
    }
  }
}
