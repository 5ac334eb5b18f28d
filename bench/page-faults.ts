/**
 * npm run bench:page-faults — what fresh memory costs on this machine, and how much of it a Node process
 * allocating at an agent's pace pays. It explains part of what bench:overhead measures
 * (docs/design/request-path-cost.md, eighth round):
 *
 * 1. A minor page fault: buffers of fresh memory (kept, so each is new to the process) are written once,
 *    counting the faults, then written again now that they are mapped; the difference per fault is what
 *    the kernel (and, in a virtual machine, the hypervisor) charges for a page touched the first time.
 *    Beside it, one entry to the kernel: `process.ppid` (a getppid system call each read) against
 *    `process.hrtime.bigint()` (the clock, read without entering the kernel), per call. And memory already
 *    mapped, coming back to it: one dependent read in each of 1,024 pages, warm, with the caches evicted,
 *    and after the process slept 300 ms (what a request pays per page it touches, bench:overhead's
 *    BENCH_PAGES; request-path-cost.md, twelfth round).
 * 2. V8's young generation: a child process allocates ~100 KiB of short-lived objects per round, as a
 *    gateway does per request, with 300 ms between rounds (under 1,000 bytes per ms: V8 then shrinks its
 *    young generation after each collection and gives the memory back, so the next allocations land on
 *    fresh pages) and with none. The same paced run under `--predictable` (a V8 testing mode that never
 *    shrinks it, and runs its collector on one thread; not a setting to ship: it also seeds Math.random the
 *    same in every process) shows what the faults cost. Beside it, the collector settings a user could
 *    ship with: no memory reducer, the predictable GC schedule, a one-thread collector, each of which alone
 *    does not keep the young generation (request-path-cost.md, fourteenth round), and the first and last
 *    together, which keeps it only in stretches of rounds (fifteenth round).
 *
 * Prints a table and writes bench/results/page-faults.json.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { median, printTable, writeResults } from "./bench-support.js";

const PAGE = 4096;
const faults = () => process.resourceUsage().minorPageFault;

/** Fresh memory: µs per fault, from writing buffers new to the process and then writing them again. */
function freshMemory(): { faultsPerMiB: number; usPerFault: number; usPerMiBMapped: number } {
  const kept: Buffer[] = [];
  const perFault: number[] = [];
  const mapped: number[] = [];
  const perMiB: number[] = [];
  for (let trial = 0; trial < 8; trial++) {
    const buffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
    kept.push(buffer);
    const before = faults();
    let started = performance.now();
    buffer.fill(1);
    const firstMs = performance.now() - started;
    const taken = faults() - before;
    started = performance.now();
    buffer.fill(2);
    const againMs = performance.now() - started;
    perMiB.push(taken / 4);
    if (taken > 0) perFault.push(((firstMs - againMs) * 1000) / taken);
    mapped.push((againMs * 1000) / 4);
  }
  return { faultsPerMiB: median(perMiB), usPerFault: median(perFault), usPerMiBMapped: median(mapped) };
}

/** µs per system call: a loop of getppid calls less a loop of clock reads, which do not enter the kernel. */
function kernelEntry(): number {
  const CALLS = 200_000;
  const loop = (call: () => unknown) => {
    const started = performance.now();
    for (let index = 0; index < CALLS; index++) call();
    return ((performance.now() - started) * 1000) / CALLS;
  };
  const entries: number[] = [];
  for (let trial = 0; trial < 5; trial++) entries.push(loop(() => process.ppid) - loop(() => process.hrtime.bigint()));
  return median(entries);
}

/**
 * ns per page of memory already mapped, coming back to it: a chain of dependent reads, one cache line in each
 * of 1,024 pages in a random order (each read must finish before the next address is known, as code walking
 * its objects does), walked warm, right after writing 64 MiB elsewhere (the caches evicted, the process
 * running all along), and after sleeping 300 ms (as a gateway between an agent's turns).
 */
function mappedMemoryComingBack(): { warm: number; cachesEvicted: number; afterSleep: number } {
  const PAGES = 1024;
  const INTS_PER_PAGE = PAGE / 4;
  const chain = new Int32Array(PAGES * INTS_PER_PAGE);
  const order = Array.from({ length: PAGES }, (_, page) => page);
  for (let index = PAGES - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
  // Node i sits in page order[i], on cache line i % 60 of it, and holds where node i + 1 sits.
  const at = (node: number) => (order[node % PAGES] as number) * INTS_PER_PAGE + ((node % PAGES) % 60) * 16;
  for (let node = 0; node < PAGES; node++) chain[at(node)] = at(node + 1);
  const walk = () => {
    let position = at(0);
    const started = performance.now();
    for (let step = 0; step < PAGES; step++) position = chain[position] as number;
    return { ns: ((performance.now() - started) * 1e6) / PAGES, position };
  };
  const elsewhere = Buffer.allocUnsafeSlow(64 * 1024 * 1024);
  const asleep = new Int32Array(new SharedArrayBuffer(4));
  const warm: number[] = [];
  const cachesEvicted: number[] = [];
  const afterSleep: number[] = [];
  for (let trial = 0; trial < 12; trial++) {
    walk();
    warm.push(walk().ns);
    elsewhere.fill(trial);
    cachesEvicted.push(walk().ns);
    Atomics.wait(asleep, 0, 0, 300);
    afterSleep.push(walk().ns);
  }
  // The first trials also compile the walk.
  const settled = (values: number[]) => median(values.slice(2));
  return { warm: settled(warm), cachesEvicted: settled(cachesEvicted), afterSleep: settled(afterSleep) };
}

interface Scenario {
  name: string;
  pauseMs: number;
  flags: string[];
}
const SCENARIOS: Scenario[] = [
  { name: "300 ms between rounds (an agent's pace)", pauseMs: 300, flags: [] },
  { name: "back to back", pauseMs: 0, flags: [] },
  { name: "300 ms between rounds, --predictable (reference only)", pauseMs: 300, flags: ["--predictable"] },
  ...[
    ["--no-memory-reducer"],
    ["--predictable-gc-schedule"],
    ["--single-threaded-gc"],
    ["--single-threaded-gc", "--no-memory-reducer"],
  ].map((flags) => ({ name: `300 ms between rounds, ${flags.join(" ")}`, pauseMs: 300, flags })),
];
const ROUNDS = Number(process.env.BENCH_RUNS ?? 80);
const WARMUP = 20;

function youngGeneration(scenario: Scenario) {
  const out = execFileSync(
    process.execPath,
    [...scenario.flags, join(import.meta.dirname, "support", "young-generation-faults.mjs")],
    { env: { ...process.env, PAUSE_MS: String(scenario.pauseMs), ROUNDS: String(ROUNDS + WARMUP) }, encoding: "utf8" },
  );
  const { results } = JSON.parse(out) as { results: Array<{ faults: number; ms: number }> };
  const measured = results.slice(WARMUP);
  return {
    scenario: scenario.name,
    faultsPerRound: median(measured.map((round) => round.faults)),
    msPerRound: median(measured.map((round) => round.ms)),
  };
}

const fresh = freshMemory();
console.log(
  `fresh memory: ${fresh.faultsPerMiB.toFixed(0)} faults per MiB (${PAGE}-byte pages), ${fresh.usPerFault.toFixed(2)} µs per fault; ` +
    `writing mapped memory ${fresh.usPerMiBMapped.toFixed(0)} µs per MiB`,
);
const syscall = kernelEntry();
console.log(`a system call: ${syscall.toFixed(2)} µs (getppid, less a clock read that stays in user space)`);
const comingBack = mappedMemoryComingBack();
console.log(
  `mapped memory coming back, ns per page (one dependent read in each of 1,024 pages): warm ${comingBack.warm.toFixed(0)}, ` +
    `caches evicted ${comingBack.cachesEvicted.toFixed(0)}, after sleeping 300 ms ${comingBack.afterSleep.toFixed(0)}`,
);
const rows = SCENARIOS.map(youngGeneration);
console.log(`\nallocating ~100 KiB of short-lived objects per round (${ROUNDS} rounds after ${WARMUP}), medians:`);
printTable(
  ["scenario", "page faults per round", "ms per round"],
  rows.map((row) => [row.scenario, row.faultsPerRound.toFixed(0), row.msPerRound.toFixed(3)]),
);
writeResults("page-faults", {
  freshMemory: fresh,
  usPerSystemCall: syscall,
  nsPerPageComingBack: comingBack,
  youngGeneration: rows,
});
