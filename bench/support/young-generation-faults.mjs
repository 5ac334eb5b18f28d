/**
 * bench:page-faults' child: a process that, like a gateway between an agent's turns, allocates a request's
 * worth of short-lived objects (~100 KiB), then waits PAUSE_MS, ROUNDS times, and prints one JSON line: per
 * round, the minor page faults it took and the milliseconds it spent allocating. Plain JavaScript, so
 * nothing but the allocation runs in it. Run with the node flags under test.
 */
const pauseMs = Number(process.env.PAUSE_MS ?? 300);
const rounds = Number(process.env.ROUNDS ?? 80);
const faults = () => process.resourceUsage().minorPageFault;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Something long-lived, as a gateway holds its sessions and code.
const kept = Array.from({ length: 20_000 }, (_, index) => ({ index, name: `kept ${index}` }));
const results = [];
for (let round = 0; round < rounds; round++) {
  if (pauseMs > 0) await sleep(pauseMs);
  const before = faults();
  const started = performance.now();
  const garbage = [];
  for (let index = 0; index < 600; index++) garbage.push({ index, text: `item ${index}`, pair: [index, index + 1] });
  const ms = performance.now() - started;
  results.push({ faults: faults() - before, ms, items: garbage.length });
}
console.log(JSON.stringify({ kept: kept.length, results }));
