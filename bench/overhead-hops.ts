/**
 * npm run bench:overhead-hops — where a request's time goes inside the gateway, hop by hop.
 *
 * bench:overhead says how much Switchyard adds; this says where. Switchyard runs in this process in
 * front of the loopback replay upstream, and Node's own diagnostics channels time each request: the
 * gateway sees the request (`http.server.request.start`), its upstream request's headers and body go
 * out (`undici:client:sendHeaders`, `undici:request:bodySent`), the upstream answers
 * (`undici:request:headers`), and the client reads its first content delta. The client is in the same
 * process, so absolute figures carry its cost too; compare hops, and runs before and after a change.
 * BENCH_REQUEST=one-message|claude-code (default both), BENCH_RUNS (default 60).
 */
import diagnostics from "node:diagnostics_channel";
import { configSchema } from "../src/config/config-schema.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import { median, printTable, writeResults } from "./bench-support.js";
import { REQUEST_SIZES, type RequestSize, roundBodies } from "./support/overhead-requests.js";
import { startReplayUpstream } from "./support/replay-upstream.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
const SIZES = process.env.BENCH_REQUEST ? [process.env.BENCH_REQUEST as RequestSize] : REQUEST_SIZES;

type Hop = "upstream headers sent" | "upstream body sent" | "upstream answered" | "client's first delta";

/** The moments of the request in flight; the client's own fetch is the first undici request, the gateway's the second. */
const moments: Partial<Record<Hop | "gateway sees the request", number>> = {};
const seen = new Map<string, number>();
const mark = (name: keyof typeof moments, nth: number) => () => {
  const count = (seen.get(name) ?? 0) + 1;
  seen.set(name, count);
  if (count === nth) moments[name] = performance.now();
};
diagnostics.subscribe("http.server.request.start", mark("gateway sees the request", 1));
diagnostics.subscribe("undici:client:sendHeaders", mark("upstream headers sent", 2));
diagnostics.subscribe("undici:request:bodySent", mark("upstream body sent", 2));
diagnostics.subscribe("undici:request:headers", mark("upstream answered", 1));

const upstream = await startReplayUpstream(5);
const config = configSchema.parse({ telemetry: { turnsFile: null }, store: { path: null } });
const gateway = await startSwitchyard({ config, port: 0, backendUrls: [upstream.url], probeLocal: false });
const results: Array<{ request: RequestSize; hopsMs: Record<string, number> }> = [];
try {
  for (const size of SIZES) {
    const bodies = await roundBodies(upstream.url, size);
    const samples: Record<string, number[]> = {};
    for (let round = 0; round < WARMUP + RUNS; round++) {
      for (const key of Object.keys(moments)) delete moments[key as keyof typeof moments];
      seen.clear();
      const response = await fetch(`${gateway.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bodies(`hops-${round}`).anthropic,
      });
      let firstDelta: number | undefined;
      for await (const chunk of response.body as AsyncIterable<Uint8Array>)
        if (firstDelta === undefined && Buffer.from(chunk).includes("content_block_delta"))
          firstDelta = performance.now();
      if (round < WARMUP) continue;
      const start = moments["gateway sees the request"] as number;
      const at: Record<Hop, number | undefined> = {
        "upstream headers sent": moments["upstream headers sent"],
        "upstream body sent": moments["upstream body sent"],
        "upstream answered": moments["upstream answered"],
        "client's first delta": firstDelta,
      };
      for (const [hop, time] of Object.entries(at)) {
        if (time === undefined) continue;
        samples[hop] ??= [];
        samples[hop].push(time - start);
      }
    }
    const hopsMs = Object.fromEntries(Object.entries(samples).map(([hop, values]) => [hop, median(values)]));
    results.push({ request: size, hopsMs });
    console.log(`\nrequest: ${size}; ${RUNS} runs; median ms since the gateway saw the request`);
    printTable(
      ["hop", "median ms"],
      Object.entries(hopsMs).map(([hop, value]) => [hop, value.toFixed(2)]),
    );
  }
} finally {
  await gateway.close();
  await upstream.close();
}
writeResults("overhead-hops", { runs: RUNS, results });
