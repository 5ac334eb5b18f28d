/**
 * npm run bench:cache — how much prompt each recorded Claude Code session makes the server prefill,
 * against the least it could: straight to llama-server's own /v1/messages, and through Switchyard.
 *
 * For each turn, the minimum is the tokens of its prompt that are not a prefix carried over from the
 * previous turn of the same lane (main agent, each subagent, side requests), counted on the prompt
 * Switchyard renders (llama-server's /apply-template and /tokenize). A lane's first turn is all new.
 * Prefilled and reused tokens are what llama-server reports (usage.input_tokens and
 * usage.cache_read_input_tokens). The `small` test model makes prefill cost show in time to first token.
 *
 * Scenarios: one session with a second prompt (basic-session); the agent session with its subagent
 * (agent-session); three sessions interleaved request by request, side requests included, on a 4-slot
 * server. The direct path runs on an engine with the model's own template, as users run it today;
 * Switchyard runs its own engine (append-only template, slot affinity). claude-code-router is not
 * installed here and is left out.
 */
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { toChatCompletionsBody } from "../src/backends/llama-server/to-chat-completions.js";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import { identifySession, laneKey } from "../src/sessions/session-identity.js";
import { type FixtureRequest, fixtureRequests, replayHeaders } from "../test/support/fixtures.js";
import { benchEngine, printTable, writeResults } from "./bench-support.js";

const ENGINE = { slots: 4, contextSize: 131072, cacheRamMiB: 8192, extraArgs: [], slotSave: false };

interface TurnResult {
  request: string;
  lane: string;
  status: number;
  promptTokens: number;
  minimum: number;
  prefilled: number;
  reused: number;
  ttftMs: number;
}

function scenarios(): Record<string, FixtureRequest[]> {
  const interleaved: FixtureRequest[] = [];
  const sessions = ["basic-session", "bare-session", "agent-session"].map((name) =>
    fixtureRequests(name).filter((request) => request.body),
  );
  for (let index = 0; index < Math.max(...sessions.map((session) => session.length)); index++) {
    for (const session of sessions) if (session[index]) interleaved.push(session[index] as FixtureRequest);
  }
  return {
    "single session, second prompt": fixtureRequests("basic-session").filter((request) => request.body),
    "agent with subagent": fixtureRequests("agent-session").filter((request) => request.body),
    "3 sessions interleaved, 4 slots": interleaved,
  };
}

/** Per request: its lane and the minimum it must prefill, from Switchyard's rendering of each lane. */
async function minimums(
  requests: FixtureRequest[],
  engineUrl: string,
): Promise<Array<{ lane: string; tokens: number; minimum: number }>> {
  const backend = new LlamaServerBackend({ name: "render", baseUrl: engineUrl });
  const compat = await backend.compat();
  const previous = new Map<string, number[]>();
  const out: Array<{ lane: string; tokens: number; minimum: number }> = [];
  for (const request of requests) {
    const canonical = normalizeForCache(parseAnthropicRequest(request.body, request.headers));
    const lane = laneKey(identifySession(canonical));
    const rendered = (await (
      await fetch(`${engineUrl}/apply-template`, {
        method: "POST",
        body: JSON.stringify(toChatCompletionsBody(canonical, "m", compat)),
      })
    ).json()) as { prompt: string };
    const { tokens } = (await (
      await fetch(`${engineUrl}/tokenize`, {
        method: "POST",
        body: JSON.stringify({ content: rendered.prompt, add_special: true, parse_special: true }),
      })
    ).json()) as { tokens: number[] };
    const before = previous.get(lane) ?? [];
    let common = 0;
    while (common < before.length && common < tokens.length && before[common] === tokens[common]) common++;
    previous.set(lane, tokens);
    out.push({
      lane: `${request.session}/${lane.split("/")[1]}`,
      tokens: tokens.length,
      minimum: tokens.length - common,
    });
  }
  await backend.close();
  return out;
}

async function replay(
  url: string,
  path: string,
  requests: FixtureRequest[],
  lanes: Awaited<ReturnType<typeof minimums>>,
) {
  const results: TurnResult[] = [];
  for (const [index, request] of requests.entries()) {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: replayHeaders(request),
      body: JSON.stringify(request.body),
    });
    let text = "";
    let ttftMs = Number.NaN;
    const decoder = new TextDecoder();
    for await (const chunk of response.body ?? []) {
      if (Number.isNaN(ttftMs)) ttftMs = performance.now() - started;
      text += decoder.decode(chunk, { stream: true });
    }
    const startLine = text.split("\n").find((line) => line.startsWith('data: {"type":"message_start"'));
    const usage = (startLine ? JSON.parse(startLine.slice(6)).message.usage : {}) as {
      input_tokens?: number;
      cache_read_input_tokens?: number;
    };
    const lane = lanes[index] as { lane: string; tokens: number; minimum: number };
    results.push({
      request: `${request.session}/${request.file}`,
      lane: lane.lane,
      status: response.status,
      promptTokens: lane.tokens,
      minimum: lane.minimum,
      prefilled: response.status === 200 ? (usage.input_tokens ?? 0) : 0,
      reused: response.status === 200 ? (usage.cache_read_input_tokens ?? 0) : 0,
      ttftMs,
    });
  }
  return results;
}

function totals(results: TurnResult[]) {
  const served = results.filter((result) => result.status === 200);
  const sum = (key: keyof TurnResult) => served.reduce((total, result) => total + (result[key] as number), 0);
  const prefilled = sum("prefilled");
  const minimum = sum("minimum");
  return {
    served: served.length,
    failed: results.length - served.length,
    prefilled,
    minimum,
    reused: sum("reused"),
    ratio: minimum > 0 ? prefilled / minimum : Number.NaN,
    ttftMs: sum("ttftMs"),
  };
}

async function main(): Promise<void> {
  const { binary, model } = await benchEngine("small");
  const all: Record<string, unknown> = {};
  const summary: Array<Array<string | number>> = [];
  for (const [name, requests] of Object.entries(scenarios())) {
    // Through Switchyard, with the engine it launches. The minimum is counted on its rendering first:
    // /apply-template and /tokenize touch no slot.
    const gateway = await startSwitchyard({
      config: configSchema.parse({ engine: ENGINE, telemetry: { turnsFile: null } }),
      port: 0,
      modelFile: model,
      engineBinary: async () => binary,
      probeLocal: false,
    });
    const lanes = await minimums(requests, gateway.engine?.url as string);
    const throughResults = await replay(gateway.url, "/v1/messages?beta=true", requests, lanes);
    await gateway.close();
    // Direct: llama-server as users run it today, with the model's own template.
    const direct = await EngineSupervisor.start({
      binary,
      model,
      args: agentEngineArgs(ENGINE),
      readyTimeoutMs: 300_000,
    });
    const directResults = await replay(direct.url, "/v1/messages", requests, lanes);
    await direct.stop();

    console.log(`\n${name}`);
    printTable(
      [
        "request",
        "lane",
        "prompt",
        "minimum",
        "direct prefilled",
        "direct ttft ms",
        "switchyard prefilled",
        "switchyard ttft ms",
      ],
      requests.map((_, index) => {
        const d = directResults[index] as TurnResult;
        const s = throughResults[index] as TurnResult;
        return [
          d.request,
          d.lane,
          String(d.promptTokens),
          String(d.minimum),
          d.status === 200 ? String(d.prefilled) : `HTTP ${d.status}`,
          d.ttftMs,
          s.status === 200 ? String(s.prefilled) : `HTTP ${s.status}`,
          s.ttftMs,
        ];
      }),
    );
    const directTotals = totals(directResults);
    const throughTotals = totals(throughResults);
    summary.push(
      [
        name,
        "direct /v1/messages",
        `${directTotals.served}/${requests.length}`,
        String(directTotals.prefilled),
        String(directTotals.minimum),
        directTotals.ratio,
        directTotals.ttftMs,
      ],
      [
        name,
        "switchyard",
        `${throughTotals.served}/${requests.length}`,
        String(throughTotals.prefilled),
        String(throughTotals.minimum),
        throughTotals.ratio,
        throughTotals.ttftMs,
      ],
    );
    all[name] = {
      direct: { turns: directResults, totals: directTotals },
      switchyard: { turns: throughResults, totals: throughTotals },
    };
  }
  console.log(
    "\nTotals (prefilled ÷ minimum over the turns each path served; target: switchyard ≤ 1.05 single, ≤ 1.10 interleaved)\n",
  );
  printTable(["scenario", "path", "served", "prefilled", "minimum", "ratio", "sum of ttft ms"], summary);
  writeResults("cache", { at: new Date().toISOString(), model: "test model, small", engine: ENGINE, scenarios: all });
}

await main();
