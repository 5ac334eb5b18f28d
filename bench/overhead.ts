/**
 * npm run bench:overhead — what Switchyard adds to a streamed request.
 *
 * One ~90 KB Claude Code request (the largest recorded one) is sent, alternately, straight to
 * llama-server (the exact /v1/chat/completions body Switchyard would send for it) and through
 * Switchyard (the Anthropic body), many times. The prompt is warm in llama-server's cache after the
 * first run, so both paths do the same small amount of upstream work and the difference is the gateway.
 *
 * Time to first byte is measured to the first byte of the first token as the client sees it: the first
 * SSE event carrying generated text directly, the first body byte through Switchyard (which sends
 * message_start together with the first token). Total is to the end of the stream.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { toChatCompletionsBody } from "../src/backends/llama-server/to-chat-completions.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import { benchEngine, median, percentile, printTable, writeResults } from "./bench-support.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;
const FIXTURE = join(
  import.meta.dirname,
  "..",
  "..",
  "shared",
  "fixtures",
  "claude-code-2.1.197",
  "agent-session",
  "013.json",
);

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

async function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

const startGateway = (backendUrl: string) =>
  startChild(
    [join(import.meta.dirname, "..", "src", "cli", "main.ts"), "serve", "--backend", backendUrl, "--port", "0"],
    {
      SWITCHYARD_CONFIG: "/nonexistent/switchyard-bench.json",
      XDG_STATE_HOME: "/tmp/switchyard-bench-state",
    },
  );

interface Measurement {
  upstream: string;
  direct: { ttfbMs: { median: number; p90: number }; totalMs: { median: number; p90: number } };
  switchyard: { ttfbMs: { median: number; p90: number }; totalMs: { median: number; p90: number } };
  addedMs: { ttfb: number; total: number };
  addedFractionOfDirect: number;
  targetMet: boolean;
}

/** Alternates direct and through-Switchyard requests; pairs each run's two timings. */
async function measure(
  upstream: string,
  upstreamUrl: string,
  directBody: string,
  anthropicBody: string,
  marker: string,
) {
  const gateway = await startGateway(upstreamUrl);
  try {
    const direct: Timing[] = [];
    const through: Timing[] = [];
    for (let run = 0; run < WARMUP + RUNS; run++) {
      // Alternate which path goes first so drift in the machine's load falls on both alike.
      const order = run % 2 === 0 ? ["direct", "through"] : ["through", "direct"];
      for (const path of order) {
        const timing =
          path === "direct"
            ? await timeStream(`${upstreamUrl}/v1/chat/completions`, directBody, marker)
            : await timeStream(`${gateway.url}/v1/messages?beta=true`, anthropicBody, undefined);
        if (run >= WARMUP) (path === "direct" ? direct : through).push(timing);
      }
    }
    const summary = (timings: Timing[], key: keyof Timing) => ({
      median: median(timings.map((timing) => timing[key])),
      p90: percentile(
        timings.map((timing) => timing[key]),
        0.9,
      ),
    });
    const addedMs = {
      ttfb: median(through.map((timing, index) => timing.ttfbMs - (direct[index]?.ttfbMs ?? Number.NaN))),
      total: median(through.map((timing, index) => timing.totalMs - (direct[index]?.totalMs ?? Number.NaN))),
    };
    const directTotal = summary(direct, "totalMs");
    const fraction = addedMs.total / directTotal.median;
    const result: Measurement = {
      upstream,
      direct: { ttfbMs: summary(direct, "ttfbMs"), totalMs: directTotal },
      switchyard: { ttfbMs: summary(through, "ttfbMs"), totalMs: summary(through, "totalMs") },
      addedMs,
      addedFractionOfDirect: fraction,
      targetMet: addedMs.ttfb <= 2 && addedMs.total <= 2 && fraction <= 0.05,
    };
    return result;
  } finally {
    gateway.stop();
  }
}

function print(result: Measurement): void {
  console.log(`\nupstream: ${result.upstream}`);
  printTable(
    ["path", "ttfb median ms", "ttfb p90 ms", "total median ms", "total p90 ms"],
    [
      [
        "direct",
        result.direct.ttfbMs.median,
        result.direct.ttfbMs.p90,
        result.direct.totalMs.median,
        result.direct.totalMs.p90,
      ],
      [
        "through switchyard",
        result.switchyard.ttfbMs.median,
        result.switchyard.ttfbMs.p90,
        result.switchyard.totalMs.median,
        result.switchyard.totalMs.p90,
      ],
    ],
  );
  console.log(
    `added (median of paired differences): ttfb ${result.addedMs.ttfb.toFixed(2)} ms, total ${result.addedMs.total.toFixed(2)} ms = ${(result.addedFractionOfDirect * 100).toFixed(1)} % of direct; target (<= 2 ms and <= 5 %): ${result.targetMet ? "met" : "NOT met"}`,
  );
}

async function main(): Promise<void> {
  const { binary, model } = await benchEngine("tiny");
  const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> };
  const anthropicBody = JSON.stringify(fixture.body);
  const threads = process.env.BENCH_ENGINE_THREADS;
  const engine = await EngineSupervisor.start({
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
  const replay = await startChild([join(import.meta.dirname, "support", "replay-upstream.ts")]);
  try {
    const backend = new LlamaServerBackend({ name: "direct", baseUrl: engine.url });
    const compat = await backend.compat();
    await backend.close();
    const directBody = JSON.stringify(
      toChatCompletionsBody(normalizeForCache(parseAnthropicRequest(fixture.body)), "local", compat),
    );
    console.log(
      `bench:overhead — ${RUNS} runs per path, ${(anthropicBody.length / 1024).toFixed(1)} KB Claude Code request`,
    );
    const results = [
      await measure(
        `real llama-server (tiny test model, warm cache, ${threads ?? "default"} threads)`,
        engine.url,
        directBody,
        anthropicBody,
        '"delta":{"reasoning_content"',
      ),
      await measure(
        "loopback replay of a recorded llama-server stream (the gateway's own cost, no model competing for the 2 cores)",
        replay.url,
        directBody,
        anthropicBody,
        '"delta":{"reasoning_content"',
      ),
    ];
    for (const result of results) print(result);
    writeResults("overhead", {
      at: new Date().toISOString(),
      requestBytes: anthropicBody.length,
      upstreamBytes: directBody.length,
      runs: RUNS,
      results,
    });
  } finally {
    replay.stop();
    await engine.stop();
  }
}

await main();
