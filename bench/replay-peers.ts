/**
 * npm run bench:replay-peers — one replay of the recorded `agent-session` (main agent, a subagent, side
 * requests) three ways, side by side: straight to llama-server, through Switchyard, and through
 * claude-code-router 3.1.1 where it installs (bench/support/claude-code-router.ts; BENCH_CCR=0 skips it).
 *
 * Each path gets a fresh llama-server started as users start it (the model's stock template, `--parallel
 * 4 --kv-unified`), so no path inherits another's cache. The minimum of every turn is counted on that
 * server's own template (`/apply-template` + `/tokenize`), so the three are judged by the same rule:
 * efficiency = Σ prefilled ÷ Σ minimum. BENCH_SIZE=small makes prefill show in time to first token.
 */
import type { BenchTarget } from "../src/bench/bench-target.js";
import { fixtureRequests } from "../src/bench/recorded-sessions.js";
import { type ReplayReport, replaySessions } from "../src/bench/replay-sessions.js";
import { configSchema } from "../src/config/config-schema.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { TestModelSize } from "../src/test-model/test-model-shapes.js";
import { benchEngine, printTable, writeResults } from "./bench-support.js";
import {
  CLAUDE_CODE_ROUTER_KEY,
  CLAUDE_CODE_ROUTER_MODEL,
  CLAUDE_CODE_ROUTER_VERSION,
  claudeCodeRouterPackage,
  startClaudeCodeRouter,
} from "./support/claude-code-router.js";

const SESSION = "agent-session";
const MAX_TOKENS = 32;
const SERVER_ARGS = ["--jinja", "--parallel", "4", "--kv-unified", "--ctx-size", "65536", "--no-webui"];

type Path = "direct" | "switchyard" | "claude-code-router";

const anthropicTarget = (name: string, kind: BenchTarget["kind"], baseUrl: string, headers = {}): BenchTarget => ({
  name,
  kind,
  baseUrl,
  wire: "anthropic",
  model: "m",
  local: true,
  headers,
});

/** A fresh server, the path in front of it, one replay; everything stopped after, by PID. */
async function replayThrough(
  path: Path,
  engine: { binary: string; model: string },
  routerPackage: string | undefined,
): Promise<ReplayReport> {
  const server = await EngineSupervisor.start({
    binary: engine.binary,
    model: engine.model,
    args: SERVER_ARGS,
    maxRestarts: 0,
  });
  const stops: Array<() => Promise<void>> = [() => server.stop()];
  try {
    let target: BenchTarget;
    if (path === "direct") target = anthropicTarget("llama-server (direct)", "llama-server", server.url);
    else if (path === "switchyard") {
      const gateway = await startSwitchyard({
        config: configSchema.parse({
          backends: [{ name: "local", type: "llama-server", url: server.url }],
          telemetry: { turnsFile: null },
          store: { path: null },
        }),
        port: 0,
        probeLocal: false,
        say: () => {},
      });
      stops.unshift(() => gateway.close());
      target = anthropicTarget("Switchyard", "switchyard", gateway.url);
    } else {
      const router = await startClaudeCodeRouter(routerPackage as string, server.url);
      stops.unshift(() => router.stop());
      // Its gateway speaks Anthropic Messages to the client and Chat Completions to the server.
      target = anthropicTarget(`claude-code-router ${CLAUDE_CODE_ROUTER_VERSION}`, "anthropic", router.url, {
        "x-api-key": CLAUDE_CODE_ROUTER_KEY,
      });
    }
    // claude-code-router takes only the model names its config lists (the recording asks for `qwen-local`).
    const requests = fixtureRequests(SESSION).map((request) =>
      path === "claude-code-router" && request.body
        ? { ...request, body: { ...request.body, model: CLAUDE_CODE_ROUTER_MODEL } }
        : request,
    );
    return await replaySessions(target, [requests], {
      concurrency: 1,
      rendererUrl: server.url,
      maxTokens: MAX_TOKENS,
      onTurn: (turn) => process.stderr.write(`  ${path} ${turn.request} ${turn.status} ${turn.error ?? ""}\n`),
    });
  } finally {
    for (const stop of stops) await stop();
  }
}

const cell = (value: number | undefined, digits = 0) => (value === undefined ? "unknown" : value.toFixed(digits));

async function main(): Promise<void> {
  const engine = await benchEngine((process.env.BENCH_SIZE as TestModelSize | undefined) ?? "tiny");
  const routerPackage = await claudeCodeRouterPackage(process.env.BENCH_CCR !== "0");
  const paths: Path[] = routerPackage ? ["direct", "switchyard", "claude-code-router"] : ["direct", "switchyard"];
  const reports: ReplayReport[] = [];
  for (const path of paths) {
    try {
      reports.push(await replayThrough(path, engine, routerPackage));
    } catch (error) {
      console.log(`${path}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  console.log(
    `\n${SESSION} replayed (${fixtureRequests(SESSION).filter((r) => r.body).length} requests, answers capped at ${MAX_TOKENS} tokens):\n`,
  );
  printTable(
    ["path", "efficiency", "reuse", "Σ prefilled", "Σ minimum", "Σ TTFT s", "wall s", "served", "broken turns"],
    reports.map((report) => [
      report.target,
      cell(report.totals.efficiency, 3),
      report.totals.reusePercent === undefined ? "unknown" : `${report.totals.reusePercent.toFixed(1)}%`,
      String(report.totals.prefilled),
      String(report.totals.minimum),
      (report.totals.ttftMsTotal / 1000).toFixed(2),
      (report.totals.wallMs / 1000).toFixed(1),
      `${report.totals.served}/${report.totals.turns}`,
      report.brokenTurns.map((turn) => turn.split("/")[1]).join(" ") || "none",
    ]),
  );
  writeResults("replay-peers", {
    session: SESSION,
    maxTokens: MAX_TOKENS,
    serverArgs: SERVER_ARGS,
    claudeCodeRouter: routerPackage ? CLAUDE_CODE_ROUTER_VERSION : null,
    reports,
  });
}

await main();
