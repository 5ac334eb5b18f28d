/**
 * npm run bench:load — 32 concurrent streaming sessions through Switchyard for a bounded time.
 *
 * Against two upstreams: the real llama-server (tiny test model) and a loopback replay of a recorded
 * llama-server stream (the gateway alone under load, no model competing for the cores). For each: a
 * warm-up through Switchyard (Anthropic /v1/messages, one `x-claude-code-session-id` per session), then
 * windows that alternate between the same sessions straight to the upstream's /v1/chat/completions
 * (with the body Switchyard would send) and through Switchyard. Added latency compares the two paths'
 * percentiles over the same stretch of time. The gateway runs as its own process
 * (`serve --backend URL`), so its RSS and open file descriptors are read from /proc.
 *
 * On the replay upstream, claude-code-router 3.1.1 (bench/support/claude-code-router.ts) takes a third
 * turn in the rotation, with the same sessions, where it installs and starts (else one line says why).
 * Not on the real llama-server: its upstream body is not Switchyard's, so it would not share the slots'
 * cached prompts with the other paths.
 *
 * Environment: LOAD_SESSIONS (32), LOAD_SECONDS (60: measured time per path pair, half of it each),
 * LOAD_WARMUP_SECONDS (10), LOAD_WINDOW_SECONDS (10), LOAD_UPSTREAMS (`llama-server,replay`),
 * REPLAY_FRAME_MS (2), LOAD_CLAUDE_CODE_ROUTER (`0` skips it).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, fetch } from "undici";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import { benchEngine, percentile, printTable, startChild, startGateway, writeResults } from "./bench-support.js";
import {
  CLAUDE_CODE_ROUTER_KEY,
  CLAUDE_CODE_ROUTER_MODEL,
  CLAUDE_CODE_ROUTER_VERSION,
  claudeCodeRouterPackage,
  type RunningClaudeCodeRouter,
  startClaudeCodeRouter,
} from "./support/claude-code-router.js";

const SESSIONS = Number(process.env.LOAD_SESSIONS ?? 32);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.LOAD_WARMUP_SECONDS ?? 10);
const WINDOW_SECONDS = Number(process.env.LOAD_WINDOW_SECONDS ?? 10);
const UPSTREAMS = (process.env.LOAD_UPSTREAMS ?? "llama-server,replay").split(",");
const REPLAY_FRAME_MS = process.env.REPLAY_FRAME_MS ?? "2";
const WITH_CLAUDE_CODE_ROUTER = process.env.LOAD_CLAUDE_CODE_ROUTER !== "0";

/** One client connection per session, as each agent process holds its own. */
const dispatcher = new Agent({ connections: SESSIONS * 2, keepAliveTimeout: 30_000 });

interface Sample {
  ttfbMs: number;
  totalMs: number;
  outputTokens: number;
  ok: boolean;
}

/**
 * Time to first token is to the first chunk carrying generated text, on both paths: direct, the first
 * content (or reasoning) delta, not the role frame llama-server sends at once; through Switchyard, the
 * first content_block_delta (its message_start waits for the first token).
 */
const FIRST_TOKEN = { direct: /"delta":\{"(?:reasoning_)?content":"/, through: /content_block_delta/ };

async function timeStream(
  url: string,
  body: string,
  headers: Record<string, string>,
  firstToken: RegExp,
): Promise<Sample> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      dispatcher,
    });
    let ttfbMs = Number.NaN;
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of response.body ?? []) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      if (Number.isNaN(ttfbMs) && firstToken.test(text)) ttfbMs = performance.now() - started;
    }
    const tokens = [...text.matchAll(/"(?:output_tokens|predicted_n|completion_tokens)":(\d+)/g)].at(-1)?.[1];
    const failed = /event: error|"error":\{/.test(text);
    return {
      ttfbMs,
      totalMs: performance.now() - started,
      outputTokens: Number(tokens ?? 0),
      ok: response.ok && !failed,
    };
  } catch {
    return { ttfbMs: Number.NaN, totalMs: performance.now() - started, outputTokens: 0, ok: false };
  }
}

/** `SESSIONS` loops, each sending its next request when the last one ended, until `seconds` pass. */
async function drive(seconds: number, send: (session: number) => Promise<Sample>): Promise<Sample[]> {
  const deadline = performance.now() + seconds * 1000;
  const samples: Sample[] = [];
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, session) => {
      while (performance.now() < deadline) samples.push(await send(session));
    }),
  );
  return samples;
}

interface ProcessUse {
  rssMiB: number;
  fds: number;
}

function processUse(pid: number): ProcessUse {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: rssKiB / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

const summarize = (samples: Sample[], seconds: number) => {
  const ok = samples.filter((sample) => sample.ok);
  const ttfb = ok.map((sample) => sample.ttfbMs);
  const total = ok.map((sample) => sample.totalMs);
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    ttfbMs: { p50: percentile(ttfb, 0.5), p99: percentile(ttfb, 0.99) },
    totalMs: { p50: percentile(total, 0.5), p99: percentile(total, 0.99) },
    requestsPerSecond: ok.length / seconds,
    tokensPerSecond: ok.reduce((sum, sample) => sum + sample.outputTokens, 0) / seconds,
  };
};

const addedOver = (path: ReturnType<typeof summarize>, direct: ReturnType<typeof summarize>) => ({
  ttfbP50: path.ttfbMs.p50 - direct.ttfbMs.p50,
  ttfbP99: path.ttfbMs.p99 - direct.ttfbMs.p99,
  totalP50: path.totalMs.p50 - direct.totalMs.p50,
  totalP99: path.totalMs.p99 - direct.totalMs.p99,
});

type PathName = "through" | "direct" | "claudeCodeRouter";

async function measure(
  label: string,
  upstreamUrl: string,
  directBody: string,
  anthropicBody: (session: number) => string,
  router?: RunningClaudeCodeRouter,
) {
  const gateway = await startGateway(upstreamUrl);
  try {
    const atStart = processUse(gateway.pid);
    const sessionHeader = (session: number) => ({ "x-claude-code-session-id": `load-session-${session}` });
    const send: Partial<Record<PathName, (session: number) => Promise<Sample>>> = {
      direct: () => timeStream(`${upstreamUrl}/v1/chat/completions`, directBody, {}, FIRST_TOKEN.direct),
      through: (session) =>
        timeStream(
          `${gateway.url}/v1/messages?beta=true`,
          anthropicBody(session),
          sessionHeader(session),
          FIRST_TOKEN.through,
        ),
    };
    if (router) {
      send.claudeCodeRouter = (session) =>
        timeStream(
          `${router.url}/v1/messages?beta=true`,
          JSON.stringify({ ...JSON.parse(anthropicBody(session)), model: CLAUDE_CODE_ROUTER_MODEL }),
          { ...sessionHeader(session), "x-api-key": CLAUDE_CODE_ROUTER_KEY },
          FIRST_TOKEN.through,
        );
    }
    const paths = (["through", "direct", "claudeCodeRouter"] as const).flatMap((name) => {
      const sender = send[name];
      return sender ? [[name, sender] as const] : [];
    });
    const warmup = await drive(WARMUP_SECONDS, send.through as (session: number) => Promise<Sample>);
    const afterWarmup = processUse(gateway.pid);
    const routerWarmup = send.claudeCodeRouter ? await drive(WARMUP_SECONDS, send.claudeCodeRouter) : [];
    const routerAfterWarmup = router?.rssMiB();
    // The paths take turns window by window, so drift in the shared machine's load falls on all; each gets
    // SECONDS / 2 in all (throughput is per second of its own windows).
    const samples: Record<PathName, Sample[]> = { direct: [], through: [], claudeCodeRouter: [] };
    const windowsPerPath = Math.max(1, Math.round(SECONDS / 2 / WINDOW_SECONDS));
    for (let window = 0; window < windowsPerPath * paths.length; window++) {
      const [name, sender] = paths[window % paths.length] as (typeof paths)[number];
      samples[name].push(...(await drive(SECONDS / 2 / windowsPerPath, sender)));
    }
    const atEnd = processUse(gateway.pid);
    const directSummary = summarize(samples.direct, SECONDS / 2);
    const throughSummary = summarize(samples.through, SECONDS / 2);
    const growth = { rss: atEnd.rssMiB / afterWarmup.rssMiB - 1, fds: atEnd.fds / afterWarmup.fds - 1 };
    const errors = throughSummary.errors + warmup.filter((sample) => !sample.ok).length;
    const routerSummary = summarize(samples.claudeCodeRouter, SECONDS / 2);
    return {
      upstream: label,
      sessions: SESSIONS,
      seconds: SECONDS,
      direct: directSummary,
      switchyard: throughSummary,
      addedMs: addedOver(throughSummary, directSummary),
      gateway: { atStart, afterWarmup, atEnd, growthAfterWarmup: growth },
      errorsIncludingWarmup: errors,
      targetMet: errors === 0 && growth.rss < 0.1 && growth.fds < 0.1,
      ...(router
        ? {
            claudeCodeRouter: {
              version: CLAUDE_CODE_ROUTER_VERSION,
              summary: routerSummary,
              addedMs: addedOver(routerSummary, directSummary),
              errorsIncludingWarmup: routerSummary.errors + routerWarmup.filter((sample) => !sample.ok).length,
              rssMiB: { afterWarmup: routerAfterWarmup ?? Number.NaN, atEnd: router.rssMiB() },
            },
          }
        : {}),
    };
  } finally {
    gateway.stop();
  }
}

type Result = Awaited<ReturnType<typeof measure>>;

function print(result: Result): void {
  console.log(`\nupstream: ${result.upstream} — ${result.sessions} sessions, ${result.seconds} s measured`);
  const row = (name: string, s: Result["direct"]) => [
    name,
    String(s.requests),
    String(s.errors),
    s.ttfbMs.p50,
    s.ttfbMs.p99,
    s.totalMs.p50,
    s.totalMs.p99,
    s.requestsPerSecond,
    s.tokensPerSecond,
  ];
  printTable(
    ["path", "requests", "errors", "ttfb p50 ms", "ttfb p99 ms", "total p50 ms", "total p99 ms", "req/s", "tokens/s"],
    [
      row("direct", result.direct),
      row("through switchyard", result.switchyard),
      ...(result.claudeCodeRouter ? [row("through claude-code-router", result.claudeCodeRouter.summary)] : []),
    ],
  );
  const { atStart, afterWarmup, atEnd, growthAfterWarmup } = result.gateway;
  printTable(
    ["gateway", "start", "after warm-up", "end", "growth after warm-up"],
    [
      ["RSS MiB", atStart.rssMiB, afterWarmup.rssMiB, atEnd.rssMiB, `${(growthAfterWarmup.rss * 100).toFixed(1)} %`],
      [
        "open FDs",
        String(atStart.fds),
        String(afterWarmup.fds),
        String(atEnd.fds),
        `${(growthAfterWarmup.fds * 100).toFixed(1)} %`,
      ],
    ],
  );
  const added = result.addedMs;
  console.log(
    `added latency: ttfb p50 ${added.ttfbP50.toFixed(2)} ms, p99 ${added.ttfbP99.toFixed(2)} ms; total p50 ${added.totalP50.toFixed(2)} ms, p99 ${added.totalP99.toFixed(2)} ms`,
  );
  console.log(
    `target (no error, RSS and FDs grow < 10 % after warm-up): ${result.targetMet ? "met" : "NOT met"} (${result.errorsIncludingWarmup} errors)`,
  );
  const router = result.claudeCodeRouter;
  if (router) {
    const routerAdded = router.addedMs;
    console.log(
      `claude-code-router ${router.version} added: ttfb p50 ${routerAdded.ttfbP50.toFixed(2)} ms, p99 ${routerAdded.ttfbP99.toFixed(2)} ms; total p50 ${routerAdded.totalP50.toFixed(2)} ms, p99 ${routerAdded.totalP99.toFixed(2)} ms; RSS ${router.rssMiB.afterWarmup.toFixed(0)} MiB after warm-up, ${router.rssMiB.atEnd.toFixed(0)} MiB at the end (Switchyard: ${atEnd.rssMiB.toFixed(0)} MiB); ${router.errorsIncludingWarmup} errors`,
    );
  }
}

async function main(): Promise<void> {
  const { binary, model } = await benchEngine("tiny");
  const body = (session: number) =>
    JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      stream: true,
      system: "You are a coding agent.",
      messages: [{ role: "user", content: `Session ${session}: list the files.` }],
    });
  const results: Result[] = [];
  console.log(
    `bench:load — ${SESSIONS} concurrent streaming sessions; warm-up ${WARMUP_SECONDS} s, then ${SECONDS} s of alternating ${WINDOW_SECONDS} s windows per path (direct, through Switchyard, and on the replay upstream through claude-code-router where it installs) per upstream`,
  );
  const directBodyFor = async (url: string) => {
    const backend = new LlamaServerBackend({ name: "direct", baseUrl: url });
    const compat = await backend.compat();
    await backend.close();
    return JSON.stringify(
      toLlamaServerBody(normalizeForCache(parseAnthropicRequest(JSON.parse(body(0)))), "local", compat),
    );
  };
  if (UPSTREAMS.includes("llama-server")) {
    const engine = await EngineSupervisor.start({
      binary,
      model,
      args: ["--jinja", "--parallel", "4", "--ctx-size", "32768", "--no-webui"],
    });
    try {
      results.push(
        await measure(
          "real llama-server (tiny test model, 4 slots)",
          engine.url,
          await directBodyFor(engine.url),
          body,
        ),
      );
    } finally {
      await engine.stop();
    }
  }
  if (UPSTREAMS.includes("replay")) {
    const replay = await startChild([join(import.meta.dirname, "support", "replay-upstream.ts")], {
      FRAME_MS: REPLAY_FRAME_MS,
      SLOTS: String(SESSIONS),
    });
    const routerPackage = await claudeCodeRouterPackage(WITH_CLAUDE_CODE_ROUTER);
    const router = routerPackage
      ? await startClaudeCodeRouter(routerPackage, replay.url).catch((error: Error) => {
          console.log(
            `claude-code-router ${CLAUDE_CODE_ROUTER_VERSION} did not start, measuring without it: ${error.message}`,
          );
          return undefined;
        })
      : undefined;
    try {
      results.push(
        await measure(
          `loopback replay of a recorded llama-server stream (${REPLAY_FRAME_MS} ms per frame, ${SESSIONS} slots)`,
          replay.url,
          await directBodyFor(replay.url),
          body,
          router,
        ),
      );
    } finally {
      await router?.stop();
      replay.stop();
    }
  }
  for (const result of results) print(result);
  writeResults("load", { at: new Date().toISOString(), sessions: SESSIONS, seconds: SECONDS, results });
  await dispatcher.close();
}

await main();
