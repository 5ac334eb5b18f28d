/**
 * npm run bench:overhead — what Switchyard adds to a streamed request, beside what a bare relay and
 * claude-code-router add, in one run.
 *
 * Two requests (bench/support/overhead-requests.ts): the largest recorded Claude Code request (~92 KB)
 * and a one-message request. Each is sent many times along each path, in rotating order so drift in the
 * machine's load falls on all alike. Like a real next turn, every request ends in a message no earlier
 * one sent while the rest repeats, so llama-server prefills the same few new tokens on every path:
 * - direct: the exact /v1/chat/completions body Switchyard would send for it, straight to the upstream;
 * - bare relay (bench/support/bare-relay.ts): the upstream body to a process that only forwards its
 *   bytes and copies the answer back: the floor any gateway pays for its extra hop;
 * - minimal translator (bench/support/minimal-translator.ts), on the replay upstream only: the Anthropic
 *   body through the least a gateway that translates Anthropic to Chat Completions can do (parse, map,
 *   send, turn each upstream event into Anthropic events; no validation, sessions, routing or records):
 *   the floor any translating gateway pays, which the relay is not. Not on the real llama-server, for
 *   the reason given for claude-code-router below;
 * - switchyard: the Anthropic body through the gateway, as it ships (dist/, built first: shippedCli);
 * - claude-code-router 3.1.1 (bench/support/claude-code-router.ts), on the replay upstream only, where
 *   it installs and starts (else one line says why): the Anthropic body through its gateway. Not on the
 *   real llama-server: its upstream body is not Switchyard's, so on the one-slot engine it would evict
 *   the prompt the other paths share and make the next path prefill everything again.
 * Each path is measured against the direct run of the same round (paired differences, then the median).
 *
 * Acceptance (issue 16), on each upstream and request: Switchyard's added time to the first delta ≤ the
 * bare relay's + 1.0 ms on the Claude Code request, + 0.5 ms on the one-message request.
 *
 * Two upstreams: the real llama-server (tiny test model; all but the new last message is warm in its
 * cache), and a loopback replay of a recorded llama-server stream, which takes no CPU between frames, so
 * the gateway's own cost shows without a model competing for the cores. BENCH_UPSTREAMS=replay skips
 * the real one; BENCH_CLAUDE_CODE_ROUTER=0 skips claude-code-router, BENCH_TRANSLATOR=0 the minimal
 * translator. Each path left out makes a round shorter, so each gateway waits less between its requests
 * (about 170 ms per path on the replay): its code is then warmer when the next one comes.
 *
 * Time to first delta is to the first event carrying generated text, as the client sees it: the first
 * `reasoning_content` delta on the direct and relay paths, the first `content_block_delta` through a
 * gateway. Total is to the end of the stream.
 *
 * BENCH_BASELINE=DIR adds the gateway of another checkout (say `git archive` of an older commit with
 * node_modules linked; built the same way), so a change is measured before and after under the same
 * load. BENCH_GATEWAY_NODE_FLAGS gives Node or V8 flags to this checkout's gateway only, so a runtime
 * setting is measured beside the same build without it. BENCH_BASELINE_NODE runs the baseline's gateway on
 * another Node binary: with a `git archive` of this commit as the baseline, the same build is measured on
 * two Node versions (its native better-sqlite3 must then be built for that Node's ABI;
 * docs/design/request-path-cost.md, sixteenth round, says how).
 *
 * FRAME_MS sets the replay's time per token (5 ms; it reaches the replay child through the environment).
 * FRAME_MS=0 sends the whole answer at once: a round takes a few milliseconds, so each gateway's next
 * request finds it warm, a diagnosis of how much of a gap is work and how much is coming back to cold
 * code and memory, not the acceptance (an agent's turns are seconds apart). Its first chunk then holds
 * the whole answer, which a gateway parses before its first delta.
 *
 * BENCH_SIZES picks the requests (comma-separated: claude-code, one-message, long-session; the first two
 * by default). long-session, the Claude Code request after 300 earlier messages (~400 KB), shows what a
 * turn costs late in a long session; it runs on the replay upstream only (the bench engine's context is
 * smaller) and has no limit of its own.
 *
 * BENCH_TRACE=DIR stamps each request's hops inside the gateway, the relay and the translator
 * (bench/support/trace-hops.mjs) and prints them side by side at the end: where a gap between the relay
 * and the gateway lies, inside a process or between them. With BENCH_PROFILE=DIR as well (a CPU profile of
 * each gateway; BENCH_PROFILE_INTERVAL_US=50 for a fine one), it also prints which functions each gateway
 * ran inside its requests' windows, seen → upstream request and first text in → first delta out
 * (bench/support/profile-windows.ts). With BENCH_TRACE and BENCH_ALLOCATIONS=BYTES (say 128), it prints which
 * functions allocated the memory each traced process took from seen to first delta out (V8's sampling heap
 * profiler, one sample per BYTES on average; it slows every request, so read no times from such a run).
 *
 * BENCH_PAGES=1 (Linux) counts the memory each process (relay, translator, Switchyard, baseline) touched from
 * just before a request to its first delta, by the kernel's referenced bits, split into V8's heap and Buffers,
 * V8's compiled code, the node binary and malloc's heap (bench/support/pages-touched.ts): the pages a request walks to,
 * each of which costs a page walk and cache misses when it comes cold. It stops each process at its first
 * delta to read them, which slows their requests: such a run prints no acceptance.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { benchEngine, printTable, startChild, startGateway, writeResults } from "./bench-support.js";
import {
  CLAUDE_CODE_ROUTER_KEY,
  CLAUDE_CODE_ROUTER_VERSION,
  claudeCodeRouterPackage,
  type RunningClaudeCodeRouter,
  rssMiB,
  startClaudeCodeRouter,
} from "./support/claude-code-router.js";
import {
  DEFAULT_REQUEST_SIZES,
  REQUEST_SIZES,
  type RequestSize,
  type RoundBodies,
  roundBodies,
} from "./support/overhead-requests.js";
import {
  type Acceptance,
  acceptance,
  type Measurement,
  type PathName,
  printMeasurement,
  summarizeRun,
  type Timing,
} from "./support/overhead-summary.js";
import {
  clearTouched,
  type PagesTouched,
  pagesTouchedTable,
  readTouched,
  type TouchedRequest,
} from "./support/pages-touched.js";
import { printProfileWindows } from "./support/profile-windows.js";
import { printAllocations, printTrace } from "./support/trace-table.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
/** Another checkout to measure alongside this one (before/after under the same load), when given. */
const BASELINE = process.env.BENCH_BASELINE;
const WITH_CLAUDE_CODE_ROUTER = process.env.BENCH_CLAUDE_CODE_ROUTER !== "0";
const WITH_TRANSLATOR = process.env.BENCH_TRANSLATOR !== "0";
const TRACE = process.env.BENCH_TRACE;
const PAGES = process.env.BENCH_PAGES === "1";
/** With BENCH_PAGES, each measured request's pages touched. */
const touched: TouchedRequest[] = [];
const SIZES = process.env.BENCH_SIZES
  ? process.env.BENCH_SIZES.split(",").map((size) => {
      if (!REQUEST_SIZES.includes(size as RequestSize))
        throw new Error(`BENCH_SIZES: no request size ${size} (${REQUEST_SIZES.join(", ")})`);
      return size as RequestSize;
    })
  : DEFAULT_REQUEST_SIZES;
if (TRACE) {
  rmSync(TRACE, { recursive: true, force: true });
  mkdirSync(TRACE, { recursive: true });
  // Every child process started from here loads the tracer; it stamps only the ones it knows.
  const tracer = join(import.meta.dirname, "support", "trace-hops.mjs");
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import ${tracer}`.trim();
}

/** The first event of a chat completions stream that carries generated text (this model thinks first). */
const FIRST_DELTA = { chatCompletions: '"delta":{"reasoning_content"', anthropic: "content_block_delta" };

/** A request's timing, and with BENCH_PAGES what the process it went to touched up to its first delta. */
type Timed = Timing & { touched?: PagesTouched };

async function timeStream(
  url: string,
  body: string,
  firstDelta: string,
  headers: Record<string, string> = {},
  pid?: number,
): Promise<Timed> {
  const counted = PAGES && pid !== undefined ? pid : undefined;
  if (counted !== undefined) clearTouched(counted);
  let touched: PagesTouched | undefined;
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  let ttfbMs: number | undefined;
  let seen = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    if (ttfbMs === undefined) {
      seen += decoder.decode(chunk, { stream: true });
      if (seen.includes(firstDelta)) {
        ttfbMs = performance.now() - started;
        if (counted !== undefined) touched = readTouched(counted);
      }
    }
  }
  return { ttfbMs: ttfbMs ?? Number.NaN, totalMs: performance.now() - started, touched };
}

/** The processes one upstream's rounds go through, started once for both request sizes. */
interface Paths {
  names: PathName[];
  send: Partial<Record<PathName, (round: RoundBodies) => Promise<Timed>>>;
  rssMiB(): Partial<Record<"switchyard" | "claude-code-router", number>>;
  stop(): Promise<void>;
}

async function startPaths(upstreamUrl: string, router: string | undefined, translator: boolean): Promise<Paths> {
  const started: Array<{ stop: () => Promise<void> }> = [];
  const kept = async <T extends { stop: () => Promise<void> }>(starting: Promise<T>): Promise<T> => {
    const child = await starting;
    started.push(child);
    return child;
  };
  try {
    const gateway = await kept(startGateway(upstreamUrl));
    const baseline = BASELINE ? await kept(startGateway(upstreamUrl, BASELINE)) : undefined;
    const relay = await kept(
      startChild([join(import.meta.dirname, "support", "bare-relay.ts")], { UPSTREAM_URL: upstreamUrl }),
    );
    const minimal = translator
      ? await kept(
          startChild([join(import.meta.dirname, "support", "minimal-translator.ts")], { UPSTREAM_URL: upstreamUrl }),
        )
      : undefined;
    let claudeCodeRouter: RunningClaudeCodeRouter | undefined;
    if (router) {
      claudeCodeRouter = await kept(startClaudeCodeRouter(router, upstreamUrl)).catch((error: Error) => {
        console.log(
          `claude-code-router ${CLAUDE_CODE_ROUTER_VERSION} did not start, measuring without it: ${error.message}`,
        );
        return undefined;
      });
    }
    const messages = (url: string) => `${url}/v1/messages?beta=true`;
    const send: Paths["send"] = {
      direct: (round) => timeStream(`${upstreamUrl}/v1/chat/completions`, round.direct, FIRST_DELTA.chatCompletions),
      "bare relay": (round) => timeStream(relay.url, round.direct, FIRST_DELTA.chatCompletions, {}, relay.pid),
      switchyard: (round) => timeStream(messages(gateway.url), round.anthropic, FIRST_DELTA.anthropic, {}, gateway.pid),
    };
    if (minimal)
      send["minimal translator"] = (round) =>
        timeStream(messages(minimal.url), round.anthropic, FIRST_DELTA.anthropic, {}, minimal.pid);
    if (baseline)
      send.baseline = (round) =>
        timeStream(messages(baseline.url), round.anthropic, FIRST_DELTA.anthropic, {}, baseline.pid);
    if (claudeCodeRouter) {
      const url = messages(claudeCodeRouter.url);
      send["claude-code-router"] = (round) =>
        timeStream(url, round.claudeCodeRouter, FIRST_DELTA.anthropic, { "x-api-key": CLAUDE_CODE_ROUTER_KEY });
    }
    return {
      names: (
        ["direct", "bare relay", "minimal translator", "switchyard", "baseline", "claude-code-router"] as const
      ).filter((name) => send[name] !== undefined),
      send,
      rssMiB: () => ({
        switchyard: rssMiB(gateway.pid),
        ...(claudeCodeRouter ? { "claude-code-router": claudeCodeRouter.rssMiB() } : {}),
      }),
      stop: async () => {
        await Promise.all(started.map((child) => child.stop()));
      },
    };
  } catch (error) {
    // One that fails to start (a baseline that does not build, say) stops those started before it.
    await Promise.all(started.map((child) => child.stop()));
    throw error;
  }
}

/** Rotates the paths' order round by round; each path's run is paired with the round's direct run. */
async function measure(upstream: string, paths: Paths, size: RequestSize, bodies: (marker: string) => RoundBodies) {
  const timings: Partial<Record<PathName, Timing[]>> = Object.fromEntries(paths.names.map((name) => [name, []]));
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (let turn = 0; turn < paths.names.length; turn++) {
      const path = paths.names[(round + turn) % paths.names.length] as PathName;
      const timing = await (paths.send[path] as (round: RoundBodies) => Promise<Timed>)(
        bodies(`${size} round ${round}, ${path}`),
      );
      if (round >= WARMUP) timings[path]?.push(timing);
      if (round >= WARMUP && timing.touched) touched.push({ size, path, touched: timing.touched });
    }
  }
  return summarizeRun(upstream, size, bodies("size").anthropic.length, timings, paths.rssMiB());
}

async function measureUpstream(
  label: string,
  url: string,
  router: string | undefined,
  translator: boolean,
  sizes: readonly RequestSize[],
): Promise<Measurement[]> {
  const paths = await startPaths(url, router, translator);
  try {
    const results: Measurement[] = [];
    for (const size of sizes) results.push(await measure(label, paths, size, await roundBodies(url, size)));
    return results;
  } finally {
    await paths.stop();
  }
}

async function startEngine(): Promise<EngineSupervisor> {
  const { binary, model } = await benchEngine("tiny");
  const threads = process.env.BENCH_ENGINE_THREADS;
  return EngineSupervisor.start({
    binary,
    model,
    args: [
      "--jinja",
      "--parallel",
      "1",
      "--ctx-size",
      "65536",
      "--no-webui",
      ...(threads ? ["--threads", threads, "--threads-batch", threads] : []),
      ...(process.env.BENCH_ENGINE_ARGS ?? "").split(" ").filter(Boolean),
    ],
  });
}

function printAcceptance(checks: Acceptance[]): void {
  if (checks.length === 0) {
    console.log(
      "\nacceptance: none of these requests has a limit (issue 16 sets them for claude-code and one-message)",
    );
    return;
  }
  console.log("\nacceptance: Switchyard's added time to first delta ≤ the bare relay's + the limit");
  printTable(
    [
      "upstream",
      "request",
      "relay adds ms",
      "switchyard adds ms",
      "ccr adds ms",
      "translator adds ms",
      "switchyard − relay ms",
      "paired, 95 % interval",
      "limit ms",
      "result",
    ],
    checks.map((check) => [
      check.upstream,
      check.request,
      check.relayAddsMs,
      check.switchyardAddsMs,
      check.claudeCodeRouterAddsMs ?? "-",
      check.translatorAddsMs ?? "-",
      check.switchyardAboveRelayMs,
      check.aboveRelayIntervalMs.map((ms) => ms.toFixed(2)).join("–"),
      check.limitMs,
      `${check.pass ? "pass" : "FAIL"}${check.settled ? "" : " (unsettled)"}`,
    ]),
  );
}

async function main(): Promise<void> {
  const upstreams = (process.env.BENCH_UPSTREAMS ?? "llama-server,replay").split(",");
  console.log(
    `bench:overhead — ${RUNS} runs per path and request (${SIZES.join(", ")}; a new last message each round)`,
  );
  const results: Measurement[] = [];
  if (upstreams.includes("llama-server")) {
    const engine = await startEngine();
    try {
      const threads = process.env.BENCH_ENGINE_THREADS ?? "default";
      const label = `llama-server (tiny test model, warm but for the new last message, ${threads} threads)`;
      const sizes = SIZES.filter((size) => size !== "long-session");
      results.push(...(await measureUpstream(label, engine.url, undefined, false, sizes)));
    } finally {
      await engine.stop();
    }
  }
  if (upstreams.includes("replay")) {
    const router = await claudeCodeRouterPackage(WITH_CLAUDE_CODE_ROUTER);
    const replay = await startChild([join(import.meta.dirname, "support", "replay-upstream.ts")]);
    try {
      results.push(...(await measureUpstream("loopback replay", replay.url, router, WITH_TRANSLATOR, SIZES)));
    } finally {
      replay.stop();
    }
  }
  for (const result of results) printMeasurement(result, BASELINE);
  if (TRACE) printTrace(TRACE, WARMUP);
  if (TRACE && process.env.BENCH_PROFILE) printProfileWindows(process.env.BENCH_PROFILE, TRACE, WARMUP);
  if (TRACE && process.env.BENCH_ALLOCATIONS) printAllocations(TRACE, WARMUP);
  const checks = results.map(acceptance).filter((check) => check !== undefined);
  const pages = PAGES ? pagesTouchedTable(touched) : undefined;
  if (pages) {
    console.log("\nmemory each process touched from before a request to its first delta (BENCH_PAGES), median KiB");
    printTable(pages.headers, pages.rows);
    console.log(
      "\nacceptance: not from this run (BENCH_PAGES stops and clears each process around its requests, which slows them)",
    );
  } else printAcceptance(checks);
  writeResults("overhead", {
    at: new Date().toISOString(),
    runs: RUNS,
    baseline: BASELINE,
    results,
    ...(pages ? { pagesTouched: pages } : { acceptance: checks }),
  });
}

await main();
