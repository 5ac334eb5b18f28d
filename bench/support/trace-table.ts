/** BENCH_TRACE's table: each traced process's hops (bench/support/trace-hops.mjs), medians per request size. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { median, printTable } from "../bench-support.js";
import { REQUEST_SIZES, type RequestSize } from "./overhead-requests.js";

/** The moments trace-hops.mjs stamps on a request. */
type Stamp = "seen" | "upstreamCreated" | "headersSent" | "bodySent" | "answered" | "firstTextIn" | "firstDeltaOut";

interface Sample extends Partial<Record<Stamp, number>> {
  script: string;
  /** The request body's Content-Length. */
  bytes: number;
  newConnection: boolean;
  /** The process's CPU time (µs) and used heap (bytes) at these stamps. */
  cpu: Partial<Record<"seen" | "upstreamCreated" | "firstDeltaOut", number>>;
  heap: Partial<Record<"seen" | "upstreamCreated" | "firstDeltaOut", number>>;
  /** Minor page faults so far (memory touched for the first time, or again after it went back to the system). */
  faults: Partial<Record<"seen" | "upstreamCreated" | "firstDeltaOut", number>>;
  /** Garbage collections that began between seen and first delta out. */
  collections?: number;
  /** With BENCH_ALLOCATIONS: bytes allocated from seen to first delta out, by the function that allocated them. */
  allocations?: Record<string, number>;
}

/** The bench's requests by their size: one message far below 4 KB, the Claude Code request ~92 KB, a long session ~400 KB. */
export const sizeOf = (bytes: number): RequestSize =>
  bytes <= 4096 ? "one-message" : bytes <= 200_000 ? "claude-code" : "long-session";

/** Hops as [label, from, to]: each a median of `to − from` over the requests that have both. */
const HOPS: Array<[string, Stamp, Stamp]> = [
  ["seen → upstream request", "seen", "upstreamCreated"],
  ["→ headers sent", "upstreamCreated", "headersSent"],
  ["→ body sent", "headersSent", "bodySent"],
  ["→ answered", "bodySent", "answered"],
  ["first text in → first delta out", "firstTextIn", "firstDeltaOut"],
  ["seen → first delta out", "seen", "firstDeltaOut"],
];

/** The requests trace-hops.mjs wrote to one process's file, a JSON line each. */
export const readTraced = <T>(path: string): T[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as T);

/** The median of what a process counter grew by from `seen` to `to` over `samples`, in `unit`s. */
const grewBy = (
  samples: Sample[],
  counter: "cpu" | "heap" | "faults",
  to: "upstreamCreated" | "firstDeltaOut",
  unit = 1,
) =>
  median(
    samples
      .map((sample) => ((sample[counter][to] ?? Number.NaN) - (sample[counter].seen ?? Number.NaN)) / unit)
      .filter(Number.isFinite),
  );

/**
 * Each traced process's file and request size with its requests, less each one's first `skip` (warm-up)
 * requests; sizes a process did not see are left out.
 */
function* tracedBySize(
  directory: string,
  skip: number,
): Generator<{ file: string; size: RequestSize; measured: Sample[] }> {
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith(".jsonl"))
    .sort()) {
    const samples = readTraced<Sample>(join(directory, file));
    for (const size of REQUEST_SIZES) {
      const measured = samples.filter((sample) => sizeOf(sample.bytes) === size).slice(skip);
      if (measured.length > 0) yield { file, size, measured };
    }
  }
}

/** Prints one row per traced process and request size; `skip` leaves out each one's first (warm-up) requests. */
export function printTrace(directory: string, skip: number): void {
  const rows: Array<Array<string | number>> = [];
  for (const { file, size, measured } of tracedBySize(directory, skip)) {
    const hop = (from: Stamp, to: Stamp) =>
      median(
        measured.map((sample) => (sample[to] ?? Number.NaN) - (sample[from] ?? Number.NaN)).filter(Number.isFinite),
      ).toFixed(3);
    const newConnections = measured.filter((sample) => sample.newConnection).length;
    // Used heap grows by what was allocated only where no collection ran in between.
    const withoutCollection = measured.filter((sample) => sample.collections === 0);
    rows.push([
      `${file.replace(/\.jsonl$/, "")} (${measured[0]?.script.replace(/.*\/([^/]+\/[^/]+\/[^/]+)$/, "$1")})`,
      size,
      String(measured.length),
      String(newConnections),
      ...HOPS.map(([, from, to]) => hop(from, to)),
      grewBy(measured, "cpu", "upstreamCreated", 1000).toFixed(3),
      grewBy(measured, "cpu", "firstDeltaOut", 1000).toFixed(3),
      grewBy(measured, "faults", "upstreamCreated").toFixed(0),
      grewBy(measured, "faults", "firstDeltaOut").toFixed(0),
      grewBy(withoutCollection, "heap", "firstDeltaOut", 1024).toFixed(0),
      String(measured.length - withoutCollection.length),
    ]);
  }
  console.log(
    `\nhops inside each process (BENCH_TRACE=${directory}), median ms; its CPU time over them (user and system, all threads)`,
  );
  printTable(
    [
      "process",
      "request",
      "requests",
      "new upstream connections",
      ...HOPS.map(([label]) => label),
      "CPU ms seen → upstream request",
      "CPU ms seen → first delta out",
      "page faults seen → upstream request",
      "page faults seen → first delta out",
      "KiB allocated seen → first delta out",
      "requests with a GC",
    ],
    rows,
  );
}

/**
 * BENCH_ALLOCATIONS's table: per traced process and request size, the `top` functions by the bytes they
 * allocated from seen to first delta out, a mean per request (sampled, so estimates), and the total.
 */
export function printAllocations(directory: string, skip: number, top = 12): void {
  for (const { file, size, measured: traced } of tracedBySize(directory, skip)) {
    const measured = traced.filter((sample) => sample.allocations);
    if (measured.length === 0) continue;
    const bytes = new Map<string, number>();
    for (const sample of measured)
      for (const [site, allocated] of Object.entries(sample.allocations ?? {}))
        bytes.set(site, (bytes.get(site) ?? 0) + allocated);
    const kib = (allocated: number) => (allocated / measured.length / 1024).toFixed(1);
    const total = [...bytes.values()].reduce((sum, allocated) => sum + allocated, 0);
    console.log(
      `\n${file.replace(/\.jsonl$/, "")}, ${size}: ${kib(total)} KiB allocated per request, seen → first delta out (${measured.length} requests, sampled)`,
    );
    printTable(
      ["function", "KiB per request"],
      [...bytes]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([site, allocated]) => [site, kib(allocated)]),
    );
  }
}
