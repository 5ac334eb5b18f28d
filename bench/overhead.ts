/**
 * npm run bench:overhead — what Switchyard adds to a streamed request.
 *
 * One ~90 KB Claude Code request (the largest recorded one) is sent many times along three paths, in
 * rotating order so drift in the machine's load falls on all alike. Like a real next turn, every request
 * ends in a message no earlier one sent (the last tool result names the round and path) while the rest
 * repeats, so nothing that remembers what it saw can answer from memory alone, and llama-server
 * prefills the same few new tokens on every path:
 * - direct: the exact /v1/chat/completions body Switchyard would send for it, straight to the upstream;
 * - bare relay (bench/support/bare-relay.ts): the upstream body to a process that only forwards its
 *   bytes and copies the answer back: the floor any gateway pays for its extra hop;
 * - switchyard: the Anthropic body through the gateway.
 * Each path is measured against the direct run of the same round (paired differences, then the median).
 *
 * Two upstreams: the real llama-server (tiny test model; all but the new last message is warm in its
 * cache, so every path does the same small amount of upstream work), and a loopback replay of a recorded
 * llama-server stream, which takes no CPU between frames, so the gateway's own cost shows without a
 * model competing for the cores. BENCH_UPSTREAMS=replay skips the real one.
 *
 * Time to first byte is to the first byte of the first generated token as the client sees it, by the
 * same definition on every path: the first SSE event carrying generated text on the direct and relay
 * paths, the first body byte through Switchyard (which sends message_start together with the first
 * token). Total is to the end of the stream.
 *
 * BENCH_BASELINE=DIR adds a fourth path: the gateway of another checkout (say `git archive` of an older
 * commit with node_modules linked), so a change is measured before and after under the same load.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import {
  benchEngine,
  median,
  percentile,
  printTable,
  startChild,
  startGateway,
  writeResults,
} from "./bench-support.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
const FIXTURE = join(
  import.meta.dirname,
  "..",
  "test",
  "fixtures",
  "claude-code",
  "claude-code-2.1.197",
  "agent-session",
  "013.json",
);

/** The first SSE event of a chat completions stream that carries generated text (this model thinks first). */
const FIRST_TOKEN = '"delta":{"reasoning_content"';

interface Timing {
  ttfbMs: number;
  totalMs: number;
}

async function timeStream(url: string, body: string, firstTokenMarker: string | undefined): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  let ttfbMs: number | undefined;
  let seen = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    if (ttfbMs === undefined) {
      if (firstTokenMarker === undefined) ttfbMs = performance.now() - started;
      else {
        seen += decoder.decode(chunk, { stream: true });
        if (seen.includes(firstTokenMarker)) ttfbMs = performance.now() - started;
      }
    }
  }
  return { ttfbMs: ttfbMs ?? Number.NaN, totalMs: performance.now() - started };
}

/** Another checkout to measure alongside this one (before/after under the same load), when given. */
const BASELINE = process.env.BENCH_BASELINE;

type PathName = "direct" | "bare relay" | "switchyard" | "baseline";
const PATHS: readonly PathName[] = ["direct", "bare relay", "switchyard", ...(BASELINE ? ["baseline" as const] : [])];

interface Summary {
  ttfbMs: { median: number; p90: number };
  totalMs: { median: number; p90: number };
}

interface Added {
  /** Medians of the paired differences with the direct run of the same round. */
  ttfbMs: number;
  totalMs: number;
  totalFractionOfDirect: number;
}

interface Measurement {
  upstream: string;
  paths: Partial<Record<PathName, Summary>>;
  added: {
    switchyard: Added;
    bareRelay: Added;
    switchyardOverBareRelay: { ttfbMs: number; totalMs: number };
    /** With BENCH_BASELINE: the other checkout against direct, and this one minus it (negative: faster). */
    baseline?: Added;
    switchyardOverBaseline?: { ttfbMs: number; totalMs: number };
  };
  targetMet: boolean;
}

const summary = (timings: Timing[]): Summary => {
  const of = (key: keyof Timing) => timings.map((timing) => timing[key]);
  return {
    ttfbMs: { median: median(of("ttfbMs")), p90: percentile(of("ttfbMs"), 0.9) },
    totalMs: { median: median(of("totalMs")), p90: percentile(of("totalMs"), 0.9) },
  };
};

const pairedMedian = (paths: Timing[], base: Timing[], key: keyof Timing) =>
  median(paths.map((timing, index) => timing[key] - (base[index]?.[key] ?? Number.NaN)));

/** One round's request: the recorded body as the client sends it, and the body Switchyard sends upstream for it. */
interface RoundBodies {
  anthropic: string;
  direct: string;
}

/** Rotates the three paths' order round by round; pairs each path's run with the round's direct run. */
async function measure(upstream: string, upstreamUrl: string, bodies: (marker: string) => RoundBodies) {
  const gateway = await startGateway(upstreamUrl);
  const baseline = BASELINE ? await startGateway(upstreamUrl, BASELINE) : undefined;
  const relay = await startChild([join(import.meta.dirname, "support", "bare-relay.ts")], {
    UPSTREAM_URL: upstreamUrl,
  });
  try {
    const send: Record<PathName, (round: RoundBodies) => Promise<Timing>> = {
      baseline: (round) => timeStream(`${baseline?.url}/v1/messages?beta=true`, round.anthropic, undefined),
      direct: (round) => timeStream(`${upstreamUrl}/v1/chat/completions`, round.direct, FIRST_TOKEN),
      "bare relay": (round) => timeStream(relay.url, round.direct, FIRST_TOKEN),
      switchyard: (round) => timeStream(`${gateway.url}/v1/messages?beta=true`, round.anthropic, undefined),
    };
    const timings: Record<PathName, Timing[]> = { direct: [], "bare relay": [], switchyard: [], baseline: [] };
    for (let round = 0; round < WARMUP + RUNS; round++) {
      for (let turn = 0; turn < PATHS.length; turn++) {
        const path = PATHS[(round + turn) % PATHS.length] as PathName;
        const timing = await send[path](bodies(`round ${round}, ${path}`));
        if (round >= WARMUP) timings[path].push(timing);
      }
    }
    const direct = timings.direct;
    const directTotal = median(direct.map((timing) => timing.totalMs));
    const added = (path: PathName): Added => {
      const totalMs = pairedMedian(timings[path], direct, "totalMs");
      return {
        ttfbMs: pairedMedian(timings[path], direct, "ttfbMs"),
        totalMs,
        totalFractionOfDirect: totalMs / directTotal,
      };
    };
    const switchyard = added("switchyard");
    const versus = (path: PathName, base: PathName) => ({
      ttfbMs: pairedMedian(timings[path], timings[base], "ttfbMs"),
      totalMs: pairedMedian(timings[path], timings[base], "totalMs"),
    });
    const result: Measurement = {
      upstream,
      paths: Object.fromEntries(PATHS.map((path) => [path, summary(timings[path])])),
      added: {
        switchyard,
        bareRelay: added("bare relay"),
        switchyardOverBareRelay: versus("switchyard", "bare relay"),
        ...(baseline ? { baseline: added("baseline"), switchyardOverBaseline: versus("switchyard", "baseline") } : {}),
      },
      targetMet: switchyard.ttfbMs <= 2 && switchyard.totalMs <= 2 && switchyard.totalFractionOfDirect <= 0.05,
    };
    return result;
  } finally {
    gateway.stop();
    baseline?.stop();
    relay.stop();
  }
}

function print(result: Measurement): void {
  console.log(`\nupstream: ${result.upstream}`);
  printTable(
    ["path", "ttfb median ms", "ttfb p90 ms", "total median ms", "total p90 ms", "added ttfb ms", "added total ms"],
    PATHS.map((path) => {
      const summaryOf = result.paths[path] as Summary;
      const added = {
        direct: undefined,
        "bare relay": result.added.bareRelay,
        switchyard: result.added.switchyard,
        baseline: result.added.baseline,
      }[path];
      return [
        path === "baseline" ? `baseline (${BASELINE})` : path,
        summaryOf.ttfbMs.median,
        summaryOf.ttfbMs.p90,
        summaryOf.totalMs.median,
        summaryOf.totalMs.p90,
        added ? added.ttfbMs : "-",
        added ? added.totalMs : "-",
      ];
    }),
  );
  const { switchyard, switchyardOverBareRelay } = result.added;
  console.log(
    `added by switchyard (median of paired differences with direct): ttfb ${switchyard.ttfbMs.toFixed(2)} ms, total ${switchyard.totalMs.toFixed(2)} ms = ${(switchyard.totalFractionOfDirect * 100).toFixed(1)} % of direct; target (each <= 2 ms, total <= 5 %): ${result.targetMet ? "met" : "NOT met"}`,
  );
  console.log(
    `of which beyond a bare relay's extra hop: ttfb ${switchyardOverBareRelay.ttfbMs.toFixed(2)} ms, total ${switchyardOverBareRelay.totalMs.toFixed(2)} ms`,
  );
  const overBaseline = result.added.switchyardOverBaseline;
  if (overBaseline) {
    console.log(
      `this checkout minus the baseline (paired medians; negative is faster): ttfb ${overBaseline.ttfbMs.toFixed(2)} ms, total ${overBaseline.totalMs.toFixed(2)} ms`,
    );
  }
}

/**
 * BENCH_REQUEST=tiny sends a one-message request with no tools instead of the recorded one: what the
 * gateway costs per request whatever its size.
 */
const TINY = process.env.BENCH_REQUEST === "tiny";

/** The recorded request with its last tool result ending in `marker`: a new last message for each marker. */
function roundRequest(fixture: Record<string, unknown>, marker: string): Record<string, unknown> {
  if (TINY) {
    return {
      model: fixture.model,
      max_tokens: 64,
      stream: true,
      // Thinking as Claude Code asks for it, so the first token is reasoning on every path.
      thinking: fixture.thinking,
      messages: [{ role: "user", content: `hi (${marker})` }],
    };
  }
  const request = structuredClone(fixture) as { messages: Array<{ content: Array<{ content?: unknown }> }> };
  const result = request.messages.at(-1)?.content.at(-1);
  if (!result || typeof result.content !== "string")
    throw new Error("the recorded request no longer ends in a tool result");
  result.content = `${result.content}\n(${marker})`;
  return request;
}

/**
 * Each round's bodies for this upstream: the Anthropic request, and the /v1/chat/completions body
 * Switchyard sends for it (with the upstream's probed compat).
 */
async function roundBodies(url: string, fixture: Record<string, unknown>): Promise<(marker: string) => RoundBodies> {
  const backend = new LlamaServerBackend({ name: "direct", baseUrl: url });
  const compat = await backend.compat().finally(() => backend.close());
  return (marker) => {
    const anthropic = roundRequest(fixture, marker);
    const canonical = normalizeForCache(parseAnthropicRequest(anthropic));
    return {
      anthropic: JSON.stringify(anthropic),
      direct: JSON.stringify(toLlamaServerBody(canonical, "local", compat)),
    };
  };
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

async function main(): Promise<void> {
  const upstreams = (process.env.BENCH_UPSTREAMS ?? "llama-server,replay").split(",");
  const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> };
  const anthropicBody = JSON.stringify(roundRequest(fixture.body, "round 0, switchyard"));
  console.log(
    `bench:overhead — ${RUNS} runs per path, ${(anthropicBody.length / 1024).toFixed(1)} KB ${TINY ? "one-message request" : "Claude Code request"} (a new last message each round)`,
  );
  const results: Measurement[] = [];
  let upstreamBytes = 0;
  if (upstreams.includes("llama-server")) {
    const engine = await startEngine();
    try {
      const bodies = await roundBodies(engine.url, fixture.body);
      upstreamBytes = bodies("round 0, direct").direct.length;
      const threads = process.env.BENCH_ENGINE_THREADS ?? "default";
      const label = `real llama-server (tiny test model, warm cache but for the new last message, ${threads} threads)`;
      results.push(await measure(label, engine.url, bodies));
    } finally {
      await engine.stop();
    }
  }
  if (upstreams.includes("replay")) {
    const replay = await startChild([join(import.meta.dirname, "support", "replay-upstream.ts")]);
    try {
      const bodies = await roundBodies(replay.url, fixture.body);
      upstreamBytes = bodies("round 0, direct").direct.length;
      const label =
        "loopback replay of a recorded llama-server stream (the gateway's own cost, no model competing for the 2 cores)";
      results.push(await measure(label, replay.url, bodies));
    } finally {
      replay.stop();
    }
  }
  for (const result of results) print(result);
  writeResults(TINY ? "overhead-tiny" : "overhead", {
    at: new Date().toISOString(),
    requestBytes: anthropicBody.length,
    upstreamBytes,
    runs: RUNS,
    baseline: BASELINE,
    results,
  });
}

await main();
