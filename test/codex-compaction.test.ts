import { describe, expect, it } from "vitest";
import { CODEX_VERSION, codexSandbox, runCodex } from "./support/codex.js";
import { useTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const TEST_NET_REPLY = "Hello! This is the Switchyard test net";

/**
 * Codex compacts its history through the same Responses door: past `model_auto_compact_token_limit` it
 * sends the history with its compaction prompt, then goes on with the summary in place of the history.
 * Codex's system prompt and tools are ~8.7K tokens, so a limit of 6,000 makes the next turn compact first.
 */
describe(`Codex ${CODEX_VERSION} compacts its context through Switchyard`, () => {
  const gateway = useTestGateway();

  it("gets its summary from the local model, and the turn after it reuses the prompt the session had", async () => {
    const root = codexSandbox();
    const limit = ["-c", "model_auto_compact_token_limit=6000"];
    const first = await runCodex(root, gateway().url, [...limit, "Say hello"]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCodex(root, gateway().url, ["resume", "--last", ...limit, "Say hello again"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("context compacted");
    expect(second.stdout).toContain(TEST_NET_REPLY);

    const turns = (await waitForTurns(gateway().recorder, 3)).filter((turn) => turn.endpoint === "responses");
    expect(turns.map((turn) => [turn.status, turn.laneKind])).toEqual([
      [200, "main"],
      [200, "side"],
      [200, "main"],
    ]);
    // The compaction request (the history and Codex's compaction prompt, without tools) is a side request of
    // the same session, on a slot of its own: the main lane's prompt stays in its slot.
    const [before, compaction, after] = turns;
    expect(new Set(turns.map((turn) => turn.sessionId)).size).toBe(1);
    expect(compaction?.slot).not.toBe(before?.slot);
    // After it, the history holds the summary where the answer was: all of the previous prompt but its
    // generation prompt is reused, and no miss is reported for those few tokens.
    expect(after?.reusedTokens).toBeGreaterThanOrEqual((before?.promptTokens ?? 0) - 8);
    expect(after?.miss).toBeUndefined();
  });
});
