import { mkdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { claudeCodeEnv } from "../src/clients/claude-code-env.js";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { fillerNote } from "./support/filler-note.js";
import { useGatewayOnSmallContext } from "./support/gateway-in-front.js";

/**
 * Today's Claude Code (2.1.332) on a local model whose context is under the 100K it compacts at at the
 * earliest: it takes no smaller CLAUDE_CODE_AUTO_COMPACT_WINDOW (it warns and uses 100K), so a
 * conversation that outgrows the context is compacted only when Switchyard answers `prompt is too long:
 * N tokens > M maximum`. Here the context is 16,384 tokens, Claude Code's own prompt about 11,800, and
 * each turn adds about 3,000: the second turn overflows. It must be compacted and answered, the third
 * must go on from the compacted conversation, with the environment `switchyard code` gives.
 */
describe("Claude Code outgrowing a local context under 100K tokens", () => {
  const sandbox = claudeSandbox();
  const gateway = useGatewayOnSmallContext(16384);
  beforeAll(() => {
    mkdirSync(sandbox.home, { recursive: true });
  });

  it("is compacted when Switchyard answers that the prompt is too long, and goes on", async () => {
    const running = gateway();
    const info = (await (await fetch(`${running.url}/v1/switchyard/info`)).json()) as { contextWindow: number };
    expect(info.contextWindow).toBe(16384);
    const env = claudeCodeEnv({ baseUrl: running.url, apiKey: undefined, contextWindow: info.contextWindow });
    expect(env.CLAUDE_CODE_AUTO_COMPACT_WINDOW).toBeUndefined();

    const outcomes: string[] = [];
    for (const index of [1, 2, 3]) {
      const before = running.recorder.recent(100_000).length;
      const run = await runClaude(["-p", ...(index > 1 ? ["--continue"] : []), fillerNote(index), "--max-turns", "3"], {
        baseUrl: running.url,
        home: sandbox.home,
        cwd: sandbox.workdir,
        timeoutMs: 240_000,
        env,
      });
      expect(run.code, `run ${index}: ${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain("Switchyard test net");
      expect(run.stderr).not.toMatch(/treats it as the .* minimum/);
      const turns = running.recorder.recent(100_000).slice(before);
      outcomes.push(turns.map((turn) => (turn.status === 200 ? "ok" : turn.error?.code)).join(" "));
    }
    // The first turn fits; the second overflows, and Claude Code compacts the conversation and answers.
    expect(outcomes[0]).not.toContain("context_overflow");
    expect(outcomes[1]).toMatch(/context_overflow( ok)+$/);
    // The third turn starts from the compacted conversation (it may overflow and compact once more).
    expect(outcomes[2]).toMatch(/ok$/);
  }, 900_000);
});
