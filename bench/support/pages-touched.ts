/**
 * BENCH_PAGES=1 for bench:overhead: how much memory each process touches from just before a request to its
 * first delta, counted by the kernel. Before the request the bench clears the process's referenced bits
 * (`/proc/PID/clear_refs`, while it sleeps between requests); when the client sees the first delta it stops
 * the process (SIGSTOP), sums `Referenced:` over its mappings in `/proc/PID/smaps`, and lets it go on.
 *
 * Why: on a machine where code and data come back cold between an agent's turns, each distinct 4 KiB page a
 * request touches costs a page walk and cache misses (docs/design/request-path-cost.md, twelfth round), so
 * the pages touched are a count of that cost that moves by a few hundred KiB between requests, where times
 * move by tens of percent.
 *
 * Checked on the test machine: a C process cleared while it sleeps, then woken to touch 10, 100 or 1,000
 * pages, reports 40, 400 and 4,000 kB. (Cleared while it runs, it reported none: this guest's shadow page
 * tables keep the bits set until the process sleeps, so a process is cleared only between requests.) A Node
 * process also touches up to about a MiB more or less from one request to the next on its own (V8's
 * collections and compilations), so read medians. Linux only; stopping and clearing the processes slows
 * their requests, so read no times from such a run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { median } from "../bench-support.js";

/**
 * Where touched memory lies: anonymous memory that is not executable (V8's heap, Buffers, thread stacks),
 * anonymous executable memory (V8's compiled code), the node binary, malloc's heap, the rest (libraries).
 */
export const PAGE_CLASSES = ["heap and buffers", "compiled code", "node binary", "malloc heap", "other"] as const;
export type PageClass = (typeof PAGE_CLASSES)[number];
export type PagesTouched = Record<PageClass, number>;

/** A mapping's class from its smaps header line (`start-end perms offset dev inode [path]`). */
function classOf(header: string): PageClass {
  const [, perms = "", , , , ...rest] = header.trim().split(/\s+/);
  const path = rest.join(" ");
  if (path === "") return perms.includes("x") ? "compiled code" : "heap and buffers";
  if (path === "[heap]") return "malloc heap";
  if (/(^|\/)node$/.test(path)) return "node binary";
  return "other";
}

/** KiB referenced per class in the text of `/proc/PID/smaps`. */
export function referencedByClass(smaps: string): PagesTouched {
  const touched = Object.fromEntries(PAGE_CLASSES.map((name) => [name, 0])) as PagesTouched;
  let current: PageClass = "other";
  for (const line of smaps.split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) current = classOf(line);
    else {
      const referenced = /^Referenced:\s+(\d+) kB/.exec(line);
      if (referenced) touched[current] += Number(referenced[1]);
    }
  }
  return touched;
}

/** Clears the process's referenced bits: what it touches from now on is counted. */
export function clearTouched(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "1");
}

/** What the process touched since `clearTouched`, read while it is stopped. */
export function readTouched(pid: number): PagesTouched {
  process.kill(pid, "SIGSTOP");
  try {
    return referencedByClass(readFileSync(`/proc/${pid}/smaps`, "utf8"));
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

/** One measured request's pages touched, by the path it went through. */
export interface TouchedRequest {
  size: string;
  path: string;
  touched: PagesTouched;
}

/** Median KiB touched to the first delta per request size and path, in total and per class. */
export function pagesTouchedTable(requests: TouchedRequest[]): { headers: string[]; rows: string[][] } {
  const groups = new Map<string, TouchedRequest[]>();
  for (const request of requests) {
    const key = `${request.size}\u0000${request.path}`;
    const group = groups.get(key);
    if (group) group.push(request);
    else groups.set(key, [request]);
  }
  const total = (touched: PagesTouched) => PAGE_CLASSES.reduce((sum, name) => sum + touched[name], 0);
  return {
    headers: ["request", "path", "requests", "KiB touched", ...PAGE_CLASSES.map((name) => `${name} KiB`)],
    rows: [...groups.values()].map((group) => [
      group[0]?.size ?? "",
      group[0]?.path ?? "",
      String(group.length),
      String(median(group.map((request) => total(request.touched)))),
      ...PAGE_CLASSES.map((name) => String(median(group.map((request) => request.touched[name])))),
    ]),
  };
}
