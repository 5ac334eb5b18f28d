import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { recordedClaudeCode, sendRecorded } from "./support/recorded-claude-code.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

/** What each slot of the engine holds, in prompt tokens. */
async function held(engineUrl: string): Promise<number[]> {
  const slots = (await (await fetch(`${engineUrl}/slots`)).json()) as Array<{ id: number; n_prompt_tokens: number }>;
  return slots.sort((a, b) => a.id - b.id).map((slot) => slot.n_prompt_tokens);
}

/**
 * The slots of the engine Switchyard launches share one KV cache, and a turn attends over the cells of
 * every prompt the other slots keep (bench:resident-slots). A lane idle for `engine.idleSlotSeconds` has
 * its prompt moved to the RAM cache before another lane's turn, and finds it there when it comes back.
 */
describe("a slot idle for engine.idleSlotSeconds, on the launched engine", () => {
  it("has its prompt moved to the RAM cache before another lane's turn, and its lane gets it all back", async () => {
    const gateway = await startTestGateway({
      engine: { slots: 2, contextSize: 65536, cacheRamMiB: 2048, idleSlotSeconds: 1 },
    });
    try {
      const engineUrl = gateway.engine?.url as string;
      const first = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
      const firstPrompt = first.input_tokens + first.cache_read_input_tokens;
      expect(firstPrompt).toBeGreaterThan(10_000);
      const [slotOfFirst] = (await waitForTurns(gateway.recorder, 1)).map((turn) => turn.slot);
      expect((await held(engineUrl))[slotOfFirst as number]).toBeGreaterThanOrEqual(firstPrompt);

      // Longer than idleSlotSeconds: the first session's slot is idle when the second session's turn comes.
      await sleep(1_500);
      await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "002.json"));
      const records = await waitForTurns(gateway.recorder, 2);
      expect(records[1]?.slot).not.toBe(slotOfFirst);
      // Moved: the slot keeps the one-token request that moved it, not the prompt.
      expect((await held(engineUrl))[slotOfFirst as number]).toBeLessThanOrEqual(2);
      const inRam = () => gateway.backends[0]?.slotSnapshot?.()?.find((slot) => slot.slot === slotOfFirst)?.inRamCache;
      // The dashboard says so (backends-view.js), until the lane's next turn.
      expect(inRam()).toBe(true);

      // The first session comes back to its slot and finds its whole prompt in the RAM cache.
      const back = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
      expect(back.cache_read_input_tokens).toBeGreaterThanOrEqual(firstPrompt - 1);
      expect((await waitForTurns(gateway.recorder, 3))[2]?.slot).toBe(slotOfFirst);
      expect(inRam()).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});
