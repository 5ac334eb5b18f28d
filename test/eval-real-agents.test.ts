import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AgentSpec } from "../src/eval/agents.js";
import { runSuite } from "../src/eval/run-suite.js";
import { codexBinary } from "./support/codex.js";
import { piPath } from "./support/pi.js";
import { useTestGateway } from "./support/test-gateway.js";

const TASKS = join(import.meta.dirname, "..", "eval", "tasks");

const AGENTS: [string, AgentSpec][] = [
  ["claude -p", { kind: "claude", maxTurns: 3 }],
  ["pi", { kind: "pi", model: "local" }],
  ["opencode", { kind: "opencode", model: "local" }],
  ["codex", { kind: "codex", model: "local" }],
];

describe("switchyard eval with real clients through Switchyard on the tiny test model", () => {
  const gateway = useTestGateway();
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(AGENTS)(
    "%s finishes within 60 s, fails the task honestly, reports the gateway's own token sums, and tags its turns with the run",
    async (_, agent) => {
      // The eval runs the pi on PATH, else the devDependency, whose Node.js must be 22 or later.
      if (agent.kind === "pi") vi.stubEnv("PATH", await piPath());
      // Codex is no devDependency: the binary the tests fetch, on PATH.
      if (agent.kind === "codex") vi.stubEnv("PATH", `${dirname(await codexBinary())}:${process.env.PATH}`);
      const outDir = mkdtempSync(join(tmpdir(), "switchyard-eval-claude-"));
      const { records } = await runSuite(TASKS, {
        agent,
        route: "local",
        epochs: 1,
        parallel: 1,
        agentTimeoutMs: 60_000,
        tasks: "py-roman",
        outDir,
        gatewayUrl: gateway().url,
      });
      expect(records).toHaveLength(1);
      const record = records[0]!;
      expect(record.agentStep?.timedOut).toBe(false);
      expect(["scored", "agent_error"]).toContain(record.status);
      expect(record.passed).toBe(false);

      const turns = gateway()
        .recorder.recent(Number.MAX_SAFE_INTEGER)
        .filter((turn) => turn.sessionId === record.sessionId && turn.endpoint !== "count_tokens");
      expect(turns.length).toBeGreaterThan(0);
      const sum = (pick: (turn: (typeof turns)[number]) => number | undefined) =>
        turns.reduce((total, turn) => total + (pick(turn) ?? 0), 0);
      expect(record.gatewayTurns).toBe(turns.length);
      expect(record.tokens).toEqual({
        prompt: sum((turn) => turn.promptTokens),
        reused: sum((turn) => turn.reusedTokens),
        prefilled: sum((turn) => turn.prefilledTokens),
        output: sum((turn) => turn.outputTokens),
      });
      expect(record.tokens?.prompt).toBeGreaterThan(0);
      // Every request the real client sent carried the run's tag (Claude Code: ANTHROPIC_CUSTOM_HEADERS;
      // pi: its models.json headers), so the gateway's turns, and the dashboard, name the run.
      expect(record.runId).toBe(basename(outDir));
      expect(turns.map((turn) => turn.evalTag)).toEqual(turns.map(() => ({ run: basename(outDir), task: "py-roman" })));
      // --route local reached session routing as its header on every request: the session's mode is
      // "local" (it is "auto" when nothing asks).
      expect(turns.map((turn) => turn.routing?.mode)).toEqual(turns.map(() => "local"));
    },
  );
});
