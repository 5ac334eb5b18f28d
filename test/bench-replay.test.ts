import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { formatReplay } from "../src/bench/format-replay.js";
import { fixtureRequests, fixtureSessions } from "../src/bench/recorded-sessions.js";
import { type ReplayReport, replaySessions, replayTotals } from "../src/bench/replay-sessions.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { startSlowPrefillProxy } from "./support/slow-prefill-proxy.js";
import { runSwitchyard } from "./support/switchyard-cli.js";
import { useTestGateway } from "./support/test-gateway.js";

const target = (kind: "llama-server" | "switchyard", baseUrl: string): BenchTarget => ({
  name: kind,
  kind,
  baseUrl,
  wire: "anthropic",
  model: "m",
  local: true,
  headers: {},
});

/**
 * For a `describe` block: llama-server as users start it, the model's own (stock) template and four slots
 * sharing one cache, started before the block's tests and stopped after. Returns a getter.
 */
function useStockServer(): () => EngineSupervisor {
  let server: EngineSupervisor | undefined;
  beforeAll(async () => {
    server = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: ["--jinja", "--parallel", "4", "--kv-unified", "--ctx-size", "65536", "--no-webui"],
      maxRestarts: 0,
    });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("the server is not started yet");
    return server;
  };
}

describe("bench replay straight to llama-server with the stock Qwen3.5 template", () => {
  const server = useStockServer();

  it("shows the second prompt's reuse below 80 % and names the turn", async () => {
    const report = await replaySessions(target("llama-server", server().url), [fixtureRequests("bare-session")], {
      concurrency: 1,
      rendererUrl: server().url,
      maxTokens: 64,
    });
    console.log(formatReplay(report));
    const second = report.turns.find((turn) => turn.request === "bare-session/008.json");
    expect(second?.reusePercent).toBeLessThan(80);
    expect(report.brokenTurns).toEqual(["bare-session/008.json"]);
    expect(formatReplay(report)).toContain("cache broken (reuse below 80 %): bare-session/008.json");
  }, 600_000);
});

describe("bench replay of a session one of whose turns failed", () => {
  // A server of its own: one that replayed the session before would still hold the failed turn's prompt.
  const server = useStockServer();

  it("judges the turn after a failed one against the last turn its lane was served", async () => {
    // The main lane's first request (bare-session/003) is cut before it reaches the server, as by a
    // gateway replica killed mid-prefill: the server holds none of it, so the next turn prefills all.
    const proxy = await startSlowPrefillProxy(server().url, 0);
    try {
      const report = await replaySessions(target("llama-server", proxy.url), [fixtureRequests("bare-session")], {
        concurrency: 1,
        rendererUrl: server().url,
        maxTokens: 16,
        onTurn: (turn) => {
          proxy.cutHeld = turn.request === "bare-session/002.json";
        },
      });
      console.log(formatReplay(report));
      const [cut, next] = ["003", "004"].map((file) =>
        report.turns.find((turn) => turn.request === `bare-session/${file}.json`),
      );
      expect(cut?.status).toBe(0);
      // Its minimum is its whole prompt, and the server did prefill all of it (the stock template's
      // generation prompt adds a few tokens the count of the messages leaves out).
      expect(next?.minimum).toBe(next?.renderedTokens);
      expect(next?.prefilled as number).toBeGreaterThanOrEqual(next?.minimum as number);
    } finally {
      await proxy.close();
    }
  }, 600_000);
});

describe("bench replay through Switchyard on a 4-slot engine", () => {
  const testGateway = useTestGateway();

  it("replays the three fixture sessions at efficiency ≤ 1.05 (JSON key `efficiency`), the same token counts twice", async () => {
    const json = join(mkdtempSync(join(tmpdir(), "switchyard-replay-")), "replay.json");
    const run = await runSwitchyard(
      ["bench", "replay", "--fixtures", "--url", testGateway().url, "--json", json],
      900_000,
    );
    console.log(run.stdout, run.stderr.slice(-2000));
    expect(run.code).toBe(0);
    const first = JSON.parse(readFileSync(json, "utf8")) as ReplayReport;
    expect(first.turns.length).toBe(
      fixtureSessions().reduce((sum, name) => sum + fixtureRequests(name).filter((request) => request.body).length, 0),
    );
    expect(first.efficiency).toBeLessThanOrEqual(1.05);
    const bare = replayTotals(
      first.turns.filter((turn) => turn.request.startsWith("bare-session/")),
      0,
    );
    expect(bare.efficiency).toBeLessThanOrEqual(1.05);

    // Counted again through the library, on one session (a second pass over all three took a minute of CI).
    const second = await replaySessions(target("switchyard", testGateway().url), [fixtureRequests("bare-session")], {
      concurrency: 1,
      rendererUrl: testGateway().engine?.url,
      maxTokens: 64,
    });
    const counts = (report: ReplayReport) =>
      report.turns.map((turn) => [
        turn.request,
        turn.renderedTokens,
        turn.minimum,
        (turn.prefilled ?? 0) + (turn.reused ?? 0),
      ]);
    expect(counts(second)).toEqual(
      counts({ ...first, turns: first.turns.filter((turn) => turn.request.startsWith("bare-session/")) }),
    );
  }, 1_200_000);

  it("replays Codex's Responses sessions and Chat Completions ones: every turn served, each lane warm, misses explained", async () => {
    const json = join(mkdtempSync(join(tmpdir(), "switchyard-replay-")), "replay.json");
    const sessions = [
      "codex/codex-0.171.0/agent-session",
      "codex/codex-0.171.0/tool-session",
      "opencode/opencode-1.18.33/tool-session",
      "qwen-code/qwen-code-0.24.4/resumed-session",
    ];
    const run = await runSwitchyard(
      ["bench", "replay", ...sessions, "--url", testGateway().url, "--json", json],
      900_000,
    );
    console.log(run.stdout, run.stderr.slice(-2000));
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8")) as ReplayReport;
    expect(report.turns.length).toBe(6 + 6 + 6 + 4);
    expect(report.turns.filter((turn) => turn.status !== 200 || turn.error)).toEqual([]);
    // The sub-agent's turns are a lane of their own (Codex's thread-id), named in the table.
    const subagent = report.turns.filter((turn) => turn.lane.startsWith("codex-0.171.0/agent-session/subagent:"));
    expect(subagent.map((turn) => turn.request)).toEqual([
      "codex-0.171.0/agent-session/003.json",
      "codex-0.171.0/agent-session/004.json",
    ]);
    expect(run.stdout).toMatch(/agent-session\/003\.json\s+subagent:/);
    // Counted on the engine's template from each door's own parse: every turn prefilled no more than its
    // lane's new tokens (a lane's first turn may reuse another session's system prompt, so less).
    for (const turn of report.turns) {
      expect(turn.minimum, turn.request).toBeGreaterThan(0);
      expect(turn.prefilled, turn.request).toBeLessThanOrEqual((turn.minimum as number) + 8);
    }
    // The gateway's explanation, matched by door and session: Qwen Code's resumed session rewrote the start
    // of its first message (its session context) on the third request; nothing else missed.
    expect(report.turns.filter((turn) => turn.miss).map((turn) => [turn.request, turn.miss])).toEqual([
      ["qwen-code-0.24.4/resumed-session/003.json", "prompt-changed at messages[0].content[0]"],
    ]);
    expect(report.brokenTurns).toEqual([]);
    expect(report.efficiency).toBeLessThanOrEqual(1.05);
  }, 1_200_000);
});
