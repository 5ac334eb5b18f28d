/**
 * BENCH_TRACE=DIR for bench:overhead: loaded with `--import` into the gateway, the bare relay and the
 * minimal translator, it stamps each generation request's hops in that process with Node's diagnostics
 * channels (request seen, upstream request created, its headers and body sent, the upstream's answer, the
 * upstream chunk holding the first generated text, and the client write holding the first delta), with
 * the process's CPU time, used heap and minor page faults when the request is seen, when its upstream
 * request is created and when its first delta goes out, and the garbage collections that began in
 * between, and appends them to DIR/<role>-<pid>.jsonl, one line per request, so the hops of a relay and of a
 * gateway can be set side by side (bench/support/trace-table.ts). Plain JavaScript: it runs in each process
 * before anything else loads. A request's line is written 50 ms after its first delta has gone out, which
 * costs the rest of that stream a little: read totals from a run without it.
 * One line, not the whole file again: rewriting every sample on each request allocated tens of KiB per
 * request, enough to lift a gateway's allocation rate over the 1,000 bytes/ms below which V8 keeps giving
 * its young generation's memory back, so a traced run paid fewer page faults than an untraced one
 * (docs/design/request-path-cost.md, eighth round).
 * BENCH_ALLOCATIONS=BYTES as well samples what each request allocates from seen to its first delta out (V8's
 * sampling heap profiler, one sample per BYTES allocated on average, objects collected since included) and adds
 * the bytes per allocating function to its line. The profiler slows each request many times over: read
 * where memory goes from such a run, never its times.
 */
import diagnostics from "node:diagnostics_channel";
import { appendFileSync } from "node:fs";
import { ServerResponse } from "node:http";
import inspector from "node:inspector";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";

const directory = process.env.BENCH_TRACE;
const script = process.argv.find((arg) => /bare-relay|minimal-translator|cli[/\\]main\.[jt]s$/.test(arg));
if (directory && script) {
  const role = /bare-relay/.test(script) ? "relay" : /minimal-translator/.test(script) ? "translator" : "gateway";
  const file = join(directory, `${role}-${process.pid}.jsonl`);
  /** The request in flight (the bench sends one at a time to each process). */
  let current;
  const now = () => performance.now();
  /** The monotonic clock in µs, as a CPU profile stamps its samples (BENCH_PROFILE: profile-windows.ts). */
  const clock = () => Number(process.hrtime.bigint() / 1000n);
  const stamp = (name) => () => {
    if (current && current[name] === undefined) current[name] = now();
  };
  /** The clock, CPU time (user and system, µs), used heap (bytes) and minor page faults now, under `name`. */
  const account = (sample, name) => {
    sample.clock[name] = clock();
    const usage = process.resourceUsage();
    sample.cpu[name] = usage.userCPUTime + usage.systemCPUTime;
    sample.heap[name] = v8.getHeapStatistics().used_heap_size;
    sample.faults[name] = usage.minorPageFault;
  };
  /** Garbage collections as [start, duration] in performance.now() time; observed a little after they ran. */
  const collections = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push([entry.startTime, entry.duration]);
  }).observe({ type: "gc" });
  const FIRST_TEXT = /reasoning_content|"content":"/;
  const samplingBytes = Number(process.env.BENCH_ALLOCATIONS ?? 0);
  /** The sampling heap profiler, in this process (its calls answer synchronously). */
  const heapProfiler = samplingBytes > 0 ? new inspector.Session() : undefined;
  heapProfiler?.connect();
  let sampling = false;
  const label = ({ functionName, url, lineNumber }) =>
    `${functionName || "(anonymous)"} ${url.replace(/^.*?\/(src|dist|node_modules|bench)\//, "$1/")}:${lineNumber + 1}`;
  /**
   * Bytes allocated per function (the one allocating, not its callers) in a sampling profile's tree; a
   * built-in (`next`, `push`: no file) is named with the function that called it.
   */
  const allocatedBy = (node, into, caller = "") => {
    // The tracer's own calls (starting and stopping the profiler) are not the request's.
    if (node.callFrame.url.endsWith("trace-hops.mjs") || node.callFrame.url === "node:inspector") return into;
    const name = node.callFrame.url === "" && caller ? `${label(node.callFrame)} in ${caller}` : label(node.callFrame);
    if (node.selfSize > 0) into[name] = (into[name] ?? 0) + node.selfSize;
    for (const child of node.children)
      allocatedBy(child, into, node.callFrame.url === "" ? caller : label(node.callFrame));
    return into;
  };
  diagnostics.subscribe("http.server.request.start", ({ request }) => {
    if (request.method !== "POST") return;
    const length = request.rawHeaders.findIndex((name) => name.toLowerCase() === "content-length");
    current = {
      script,
      bytes: Number(request.rawHeaders[length + 1] ?? 0),
      seen: now(),
      newConnection: false,
      cpu: {},
      heap: {},
      faults: {},
      clock: {},
    };
    account(current, "seen");
    // A request that never sent a delta left the profiler running: its samples are dropped.
    if (heapProfiler && sampling) heapProfiler.post("HeapProfiler.stopSampling");
    sampling = heapProfiler !== undefined;
    heapProfiler?.post("HeapProfiler.startSampling", {
      samplingInterval: samplingBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  });
  diagnostics.subscribe("undici:request:create", () => {
    if (current && current.upstreamCreated === undefined) {
      current.upstreamCreated = now();
      account(current, "upstreamCreated");
    }
  });
  diagnostics.subscribe("undici:client:connected", () => {
    if (current) current.newConnection = true;
  });
  diagnostics.subscribe("undici:client:sendHeaders", stamp("headersSent"));
  diagnostics.subscribe("undici:request:bodySent", stamp("bodySent"));
  diagnostics.subscribe("undici:request:headers", stamp("answered"));
  diagnostics.subscribe("undici:request:bodyChunkReceived", ({ chunk }) => {
    if (current && current.firstTextIn === undefined && FIRST_TEXT.test(Buffer.from(chunk).toString("utf8"))) {
      current.firstTextIn = now();
      current.clock.firstTextIn = clock();
    }
  });
  const write = ServerResponse.prototype.write;
  ServerResponse.prototype.write = function (chunk, ...rest) {
    if (current && current.firstDeltaOut === undefined && chunk && typeof chunk !== "function") {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (text.includes("content_block_delta") || FIRST_TEXT.test(text)) {
        current.firstDeltaOut = now();
        account(current, "firstDeltaOut");
        const sample = current;
        sampling = false;
        heapProfiler?.post("HeapProfiler.stopSampling", (error, result) => {
          if (!error) sample.allocations = allocatedBy(result.profile.head, {});
        });
        current = undefined;
        // Late enough that the collections of this request have been observed.
        setTimeout(() => {
          sample.collections = collections.filter(
            ([start]) => start >= sample.seen && start < sample.firstDeltaOut,
          ).length;
          appendFileSync(file, `${JSON.stringify(sample)}\n`);
        }, 50);
      }
    }
    return write.call(this, chunk, ...rest);
  };
}
