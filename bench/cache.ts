/**
 * npm run bench:cache — how much prompt each recorded Claude Code session makes the server prefill,
 * against the least it could: straight to llama-server's own /v1/messages, and through Switchyard.
 *
 * For each turn, the minimum is the tokens of its prompt that are not a prefix carried over from the
 * previous turn of the same lane (main agent, each subagent, side requests), counted on the prompt
 * Switchyard renders (llama-server's /apply-template and /tokenize). A lane's first turn is all new.
 * Prefilled and reused tokens are what llama-server reports (usage.input_tokens and
 * usage.cache_read_input_tokens). The `small` test model makes prefill cost show in time to first token.
 * Each turn asks for 64 tokens, as `switchyard bench replay` does: the next prompt is the recording's, not
 * what the model wrote, and a test model whose stop chain a prompt misses would write to the recorded
 * max_tokens (32,000) and take the machine for half an hour.
 *
 * Scenarios: one session with a second prompt (basic-session); the agent session with its subagent
 * (agent-session); three sessions interleaved request by request, side requests included, on a 4-slot
 * server; two sessions of the installed Claude Code interleaved (the same system prompt and tools: on
 * the launched engine the second one's first turn starts from a copy of the first one's slot, so its
 * ratio goes below 1); today's five recorded sessions one after another on four slots (the later ones take
 * idle lanes' slots) (BENCH_SCENARIOS=single,interleaved picks scenarios by a word of their name). Per model family
 * (src/families/model-families.ts; BENCH_FAMILIES=a,b picks some; BENCH_KINDS=user-started,launched picks
 * kinds of server), on the family's test model (scripted to write the family's syntax; where no script can
 * be planned for the template, the launched kind runs the unscripted one, and the output says so) with the family's
 * stock template: straight to a llama-server started as users start it (`--parallel 4 --kv-unified`, the
 * stock template), Switchyard in front of that same kind of server, and an
 * engine Switchyard launches from a test model that carries the family's template (the corrected copy
 * where the family needs one, as for any model). BENCH_SIZE=small makes prefill cost show in time to first
 * token. claude-code-router is not installed here and is left out.
 */
import { join } from "node:path";
import { installedVersion } from "../scripts/record-clients/client-versions.js";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { type FixtureRequest, fixtureRequests, RECORDINGS_ROOT } from "../src/bench/recorded-sessions.js";
import { type LaneMinimum, laneMinimums } from "../src/bench/replay-minimum.js";
import { type ReplayTurn, replayTotals, replayTurn } from "../src/bench/replay-sessions.js";
import { configSchema } from "../src/config/config-schema.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { ensureLlamaSource } from "../src/engine/llama-source.js";
import { MODEL_FAMILIES, type ModelFamily } from "../src/families/model-families.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { benchEngine, printTable, writeResults } from "./bench-support.js";

/**
 * BENCH_CONTEXT=32768 gives every kind of server a context that holds one lane of the agent session
 * (main ~22.5K tokens, subagent ~16.5K) but not both: what a user's server with a modest context meets.
 */
const ENGINE = {
  slots: 4,
  contextSize: Number(process.env.BENCH_CONTEXT ?? 131072),
  cacheRamMiB: 8192,
  extraArgs: [],
  slotSave: false,
};

function scenarios(): Record<string, FixtureRequest[]> {
  const interleaved: FixtureRequest[] = [];
  const sessions = ["basic-session", "bare-session", "agent-session"].map((name) =>
    fixtureRequests(name).filter((request) => request.body),
  );
  for (let index = 0; index < Math.max(...sessions.map((session) => session.length)); index++) {
    for (const session of sessions) if (session[index]) interleaved.push(session[index] as FixtureRequest);
  }
  // Two sessions of today's Claude Code side by side (two terminals): the same system prompt and tools, so
  // on the engine Switchyard launches the second one's first turn starts from a copy of the first one's slot.
  const today = join(RECORDINGS_ROOT, "claude-code", `claude-code-${installedVersion("claude-code")}`);
  const pair = ["basic-session", "thinking-session"].map((name) =>
    fixtureRequests(name, today).filter((request) => request.body),
  );
  const twoSessions: FixtureRequest[] = [];
  for (let index = 0; index < Math.max(...pair.map((session) => session.length)); index++) {
    for (const session of pair) if (session[index]) twoSessions.push(session[index] as FixtureRequest);
  }
  // Today's five recorded sessions one after another, on four slots: the agent session's main agent and
  // subagent, two more sessions' main agents, and then each new session takes the slot of an idle lane
  // (the subagent's first, then the oldest main agent).
  const oneAfterAnother = [
    "agent-session",
    "basic-session",
    "compact-session",
    "resumed-session",
    "thinking-session",
  ].flatMap((name) => fixtureRequests(name, today).filter((request) => request.body));
  return {
    "single session, second prompt": fixtureRequests("basic-session").filter((request) => request.body),
    "bare session (claude --bare), second prompt": fixtureRequests("bare-session").filter((request) => request.body),
    "agent with subagent": fixtureRequests("agent-session").filter((request) => request.body),
    "3 sessions interleaved, 4 slots": interleaved,
    "2 sessions of today's Claude Code interleaved": twoSessions,
    "5 sessions of today's Claude Code one after another, 4 slots": oneAfterAnother,
  };
}

/** Replays requests in the given order against a target (straight to llama-server, or a gateway). */
async function replay(
  baseUrl: string,
  kind: "llama-server" | "switchyard",
  requests: FixtureRequest[],
  lanes: LaneMinimum[],
): Promise<ReplayTurn[]> {
  const target: BenchTarget = { name: kind, kind, baseUrl, wire: "anthropic", model: "m", local: true, headers: {} };
  const turns: ReplayTurn[] = [];
  for (const [index, request] of requests.entries())
    turns.push(await replayTurn(target, request, lanes[index], { concurrency: 1, maxTokens: 64 }));
  return turns;
}

type Kind = "direct" | "user-started" | "launched";

/** llama-server as a user starts it: the family's stock template, four slots sharing one cache. */
const userServerArgs = (template: string) => [
  "--jinja",
  "--parallel",
  String(ENGINE.slots),
  "--kv-unified",
  "--ctx-size",
  String(ENGINE.contextSize),
  "--no-webui",
  "--chat-template-file",
  template,
];

/** One scenario on one kind of server: the turns, and the minimum counted on Switchyard's rendering. */
async function runKind(
  kind: Kind,
  family: ModelFamily,
  requests: FixtureRequest[],
  engine: { binary: string; model: string; template: string; familyModel?: string },
): Promise<ReplayTurn[]> {
  if (kind === "launched") {
    const gateway = await startSwitchyard({
      config: configSchema.parse({ engine: ENGINE, telemetry: { turnsFile: null }, store: { path: null } }),
      port: 0,
      modelFile: engine.familyModel ?? engine.model,
      engineBinary: async () => engine.binary,
      probeLocal: false,
    });
    try {
      const lanes = await laneMinimums(requests, gateway.engine?.url as string);
      return await replay(gateway.url, "switchyard", requests, lanes);
    } finally {
      await gateway.close();
    }
  }
  // The family's test model, which writes the family's syntax as a model of the family does (the built-in
  // one writes Qwen3.5's, which another family's parser in llama-server refuses), with the stock template.
  const server = await EngineSupervisor.start({
    binary: engine.binary,
    model: engine.familyModel ?? engine.model,
    args: userServerArgs(engine.template),
    readyTimeoutMs: 300_000,
  });
  try {
    const lanes = await laneMinimums(requests, server.url);
    if (kind === "direct") return await replay(server.url, "llama-server", requests, lanes);
    const gateway = await startSwitchyard({
      config: configSchema.parse({
        backends: [{ name: family.id.replaceAll(".", "-"), type: "llama-server", url: server.url }],
        telemetry: { turnsFile: null },
        store: { path: null },
      }),
      port: 0,
      probeLocal: false,
    });
    try {
      return await replay(gateway.url, "switchyard", requests, lanes);
    } finally {
      await gateway.close();
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const size = (process.env.BENCH_SIZE ?? "tiny") as "tiny" | "small";
  const { binary, model } = await benchEngine(size);
  const source = await ensureLlamaSource(() => {});
  const wanted = process.env.BENCH_FAMILIES?.split(",").map((name) => name.trim());
  const families = MODEL_FAMILIES.filter((family) => !wanted || wanted.includes(family.id));
  const scenarioWords = process.env.BENCH_SCENARIOS?.split(",").map((word) => word.trim());
  const scenarioList = Object.entries(scenarios()).filter(
    ([name]) => !scenarioWords || scenarioWords.some((word) => name.includes(word)),
  );
  const wantedKinds = process.env.BENCH_KINDS?.split(",").map((kind) => kind.trim());
  const all: Record<string, unknown> = {};
  const summary: string[][] = [];
  for (const family of families) {
    const file = Object.keys(family.templates)[0] as string;
    const template = join(source.directory, "models", "templates", file);
    // The launched kind needs a model whose GGUF carries the family's template (the built-in one carries
    // Qwen3.5's). A family whose scripted model cannot be written runs its launched kind on the unscripted
    // one (same vocabulary and template, no chains: it babbles its 64 tokens, which no prompt here reads)
    // and says so; the other two kinds then run the built-in model with the family's stock template.
    const report = (line: string) => process.stderr.write(`${line}\n`);
    let familyModel: string | undefined = family.id === "qwen3.5" ? model : undefined;
    let launchedModel: string | undefined;
    try {
      familyModel ??= await ensureTestModel({ template: file }, report);
      launchedModel = familyModel;
    } catch (error) {
      launchedModel = await ensureTestModel({ template: file, script: "unscripted" }, report);
      console.log(
        `${family.id}: the scripted test model cannot be written (${(error as Error).message}); the launched kind runs the unscripted one (the family's template, no chains)`,
      );
    }
    const kinds = (["direct", "user-started", "launched"] as const).filter(
      (kind) => !wantedKinds || wantedKinds.includes(kind),
    );
    const row: string[] = [family.id];
    for (const [name, requests] of scenarioList) {
      const cells: string[] = [];
      for (const kind of kinds) {
        const results = await runKind(kind, family, requests, {
          binary,
          model,
          template,
          familyModel: kind === "launched" ? launchedModel : familyModel,
        });
        const total = replayTotals(results, 0);
        all[`${family.id} / ${name} / ${kind}`] = { turns: results, totals: total };
        const unscripted = kind === "launched" && launchedModel !== familyModel ? ", unscripted model" : "";
        cells.push(
          `${kind[0]} ${(total.efficiency ?? Number.NaN).toFixed(3)} (${total.served}/${requests.length}${unscripted})`,
        );
        console.log(
          `${family.id} · ${name} · ${kind}${unscripted && " (unscripted model)"}: served ${total.served}/${requests.length}, prefilled ${total.prefilled}, minimum ${total.minimum}, ratio ${(total.efficiency ?? Number.NaN).toFixed(3)}`,
        );
      }
      row.push(cells.join("  "));
    }
    summary.push(row);
  }
  console.log(
    "\nprefilled ÷ minimum over the turns each path served (d = straight to llama-server's /v1/messages, u = Switchyard in front of a llama-server the user started with the family's stock template, l = an engine Switchyard launched); served/sent in brackets. Target: Switchyard ≤ 1.05 single, ≤ 1.10 interleaved. The minimum counts a lane's first turn as all new: below 1, first turns reused another session's prompt.\n",
  );
  printTable(["family", ...scenarioList.map(([name]) => name)], summary);
  writeResults("cache", { at: new Date().toISOString(), model: `test model, ${size}`, engine: ENGINE, results: all });
}

await main();
