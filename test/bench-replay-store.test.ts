import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { fixtureRequests } from "../src/bench/recorded-sessions.js";
import type { ReplayReport } from "../src/bench/replay-sessions.js";
import { replaySessions } from "../src/bench/replay-sessions.js";
import { recordedPauses, replayableTurns } from "../src/bench/stored-sessions.js";
import { SqliteTurnStore } from "../src/store/sqlite-turn-store.js";
import { runSwitchyard } from "./support/switchyard-cli.js";
import { useTestGateway } from "./support/test-gateway.js";

describe("bench replay --store: the user's own session from the turn store, through Switchyard", () => {
  const testGateway = useTestGateway();

  it("replays the stored session's lanes at their recorded sizes, paced by the recorded pauses", async () => {
    const gateway = testGateway();
    const target: BenchTarget = {
      name: "switchyard",
      kind: "switchyard",
      baseUrl: gateway.url,
      wire: "anthropic",
      model: "m",
      local: true,
      headers: {},
    };
    // The user's session: Claude Code's recorded agent session (main lane, a subagent, side requests).
    await replaySessions(target, [fixtureRequests("agent-session")], { concurrency: 1, maxTokens: 16 });
    await gateway.store?.flush();
    const storePath = (gateway.store as SqliteTurnStore).path;
    const sessionId = fixtureRequests("agent-session").find((request) => request.body)?.headers[
      "x-claude-code-session-id"
    ] as string;
    const reader = new SqliteTurnStore({ path: storePath, retentionDays: 0 });
    const stored = replayableTurns(await reader.turns({ sessionId, limit: Number.POSITIVE_INFINITY }));
    await reader.close();
    expect(new Set(stored.map((turn) => turn.lane)).size).toBeGreaterThan(1);

    const json = join(mkdtempSync(join(tmpdir(), "switchyard-replay-store-")), "replay.json");
    const run = await runSwitchyard(
      [
        "bench",
        "replay",
        "--store",
        storePath,
        "--session",
        sessionId,
        "--pace",
        "recorded",
        "--pace-scale",
        "0.5",
        "--url",
        gateway.url,
        "--max-tokens",
        "8",
        "--json",
        json,
      ],
      900_000,
    );
    console.log(run.stdout, run.stderr.slice(-2000));
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8")) as ReplayReport;
    expect(report.turns.map((turn) => turn.recordedPromptTokens)).toEqual(stored.map((turn) => turn.promptTokens));
    expect(report.turns.every((turn) => turn.status === 200 && !turn.error)).toBe(true);
    // Sized from the records: each replayed prompt, rendered by the engine's own template, within 5 %.
    for (const turn of report.turns)
      expect(Math.abs((turn.renderedTokens as number) - (turn.recordedPromptTokens as number))).toBeLessThanOrEqual(
        0.05 * (turn.recordedPromptTokens as number) + 16,
      );
    // Each lane's prompts grow as the recorded ones did, so the gateway prefills only what is new.
    expect(report.efficiency).toBeLessThanOrEqual(1.05);
    // The pauses waited are the recorded idle times, halved (planned, not measured: no wall clock).
    const planned = recordedPauses(stored).reduce((sum, pause) => sum + pause * 0.5, 0);
    expect(report.totals.pausedMs).toBeCloseTo(planned, 6);
    // The gateway filed each replayed turn in the lane it was recorded in (main, the subagent, side).
    expect(report.turns.map((turn) => turn.lane.split("/")[1])).toEqual(stored.map((turn) => turn.lane));
    expect(run.stdout).toContain("recorded");
  }, 1_200_000);

  it("refuses --pace recorded for recorded request folders, which carry no times", async () => {
    const run = await runSwitchyard(["bench", "replay", "bare-session", "--pace", "recorded"], 60_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--pace recorded needs request times");
  });
});
