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

async function startGateway(backendUrl: string): Promise<{ url: string; stop: () => void }> {
  const main = join(import.meta.dirname, "..", "src", "cli", "main.ts");
  const child = spawn(process.execPath, ["--import", "tsx", main, "serve", "--backend", backendUrl, "--port", "0"], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, SWITCHYARD_CONFIG: "/nonexistent/switchyard-bench.json" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`switchyard exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

async function main(): Promise<void> {
  const { binary, model } = await benchEngine("tiny");
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
      ...(process.env.BENCH_ENGINE_THREADS
        ? ["--threads", process.env.BENCH_ENGINE_THREADS, "--threads-batch", process.env.BENCH_ENGINE_THREADS]
        : []),
    ],
  });
  const gateway = await startGateway(engine.url);
  try {
    const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> };
    const anthropicBody = JSON.stringify(fixture.body);
    const backend = new LlamaServerBackend({ name: "direct", baseUrl: engine.url });
    const compat = await backend.compat();
    await backend.close();
    const directBody = JSON.stringify(toChatCompletionsBody(parseAnthropicRequest(fixture.body), "local", compat));
    const direct: Timing[] = [];
    const through: Timing[] = [];
    for (let run = 0; run < WARMUP + RUNS; run++) {
      // Alternate which path goes first so drift in the machine's load falls on both alike.
      const order = run % 2 === 0 ? ["direct", "through"] : ["through", "direct"];
      for (const path of order) {
        const timing =
          path === "direct"
            ? await timeStream(`${engine.url}/v1/chat/completions`, directBody, '"delta":{"reasoning_content"')
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
    const results = {
      requestBytes: anthropicBody.length,
      upstreamBytes: directBody.length,
      runs: RUNS,
      direct: { ttfbMs: summary(direct, "ttfbMs"), totalMs: summary(direct, "totalMs") },
      switchyard: { ttfbMs: summary(through, "ttfbMs"), totalMs: summary(through, "totalMs") },
      addedMs: {
        ttfb: median(through.map((timing, index) => timing.ttfbMs - (direct[index]?.ttfbMs ?? Number.NaN))),
        total: median(through.map((timing, index) => timing.totalMs - (direct[index]?.totalMs ?? Number.NaN))),
      },
      target: { addedMedianMs: 2, addedFractionOfDirect: 0.05 },
    };
    const fraction = results.addedMs.total / results.direct.totalMs.median;
    console.log(
      `\nbench:overhead — ${RUNS} runs each, ${(anthropicBody.length / 1024).toFixed(1)} KB Claude Code request, warm cache\n`,
    );
    printTable(
      ["path", "ttfb median ms", "ttfb p90 ms", "total median ms", "total p90 ms"],
      [
        [
          "direct to llama-server",
          results.direct.ttfbMs.median,
          results.direct.ttfbMs.p90,
          results.direct.totalMs.median,
          results.direct.totalMs.p90,
        ],
        [
          "through switchyard",
          results.switchyard.ttfbMs.median,
          results.switchyard.ttfbMs.p90,
          results.switchyard.totalMs.median,
          results.switchyard.totalMs.p90,
        ],
      ],
    );
    console.log(
      `\nadded (median of paired differences): ttfb ${results.addedMs.ttfb.toFixed(2)} ms, total ${results.addedMs.total.toFixed(2)} ms = ${(fraction * 100).toFixed(1)} % of direct`,
    );
    const pass = results.addedMs.ttfb <= 2 && results.addedMs.total <= 2 && fraction <= 0.05;
    console.log(`target (added median <= 2 ms and <= 5 % of direct): ${pass ? "met" : "NOT met"}`);
    writeResults("overhead", {
      ...results,
      addedFractionOfDirect: fraction,
      targetMet: pass,
      at: new Date().toISOString(),
    });
  } finally {
    gateway.stop();
    await engine.stop();
  }
}

await main();
