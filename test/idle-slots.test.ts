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
/**
 * Two sessions on two slots, the second a second and a half after the first, which then comes back: what
 * the first session's slot held after the second's turn, and what the first reused on its return.
 */
async function idleThenBack(cacheRamMiB: number) {
  const gateway = await startTestGateway({
    engine: { slots: 2, contextSize: 65536, cacheRamMiB, idleSlotSeconds: 1 },
  });
  try {
    const engineUrl = gateway.engine?.url as string;
    const first = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
    const firstPrompt = first.input_tokens + first.cache_read_input_tokens;
    expect(firstPrompt).toBeGreaterThan(10_000);
    const [slot] = (await waitForTurns(gateway.recorder, 1)).map((turn) => turn.slot as number);
    expect((await held(engineUrl))[slot as number]).toBeGreaterThanOrEqual(firstPrompt);
    const inRam = () => gateway.backends[0]?.slotSnapshot?.()?.find((view) => view.slot === slot)?.inRamCache;

    // Longer than idleSlotSeconds: the first session's slot is idle when the second session's turn comes.
    await sleep(1_500);
    await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "002.json"));
    const records = await waitForTurns(gateway.recorder, 2);
    expect(records[1]?.slot).not.toBe(slot);
    const after = { held: (await held(engineUrl))[slot as number] ?? 0, inRam: inRam() };

    // The first session comes back.
    const back = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
    expect((await waitForTurns(gateway.recorder, 3))[2]?.slot).toBe(slot);
    // The dashboard's mark (backends-view.js) is gone with the lane's next turn.
    expect(inRam()).toBeUndefined();
    return { firstPrompt, after, reusedBack: back.cache_read_input_tokens };
  } finally {
    await gateway.close();
  }
}

describe("a slot idle for engine.idleSlotSeconds, on the launched engine", () => {
  it("has its prompt moved to the RAM cache before another lane's turn, and its lane gets it all back", async () => {
    const { firstPrompt, after, reusedBack } = await idleThenBack(2048);
    // Moved: the slot keeps the one-token request that moved it, not the prompt; the dashboard says so.
    expect(after.held).toBeLessThanOrEqual(2);
    expect(after.inRam).toBe(true);
    // Found in the RAM cache.
    expect(reusedBack).toBeGreaterThanOrEqual(firstPrompt - 1);
  });

  it("keeps a prompt the RAM cache would not keep (over half of it) in its slot", async () => {
    // 1 MiB of RAM cache; the prompt's KV cache is ~3 MB on the test model. The server skips an entry
    // over its limit, so a move would have lost it: the return would prefill all of it.
    const { firstPrompt, after, reusedBack } = await idleThenBack(1);
    expect(after.held).toBeGreaterThanOrEqual(firstPrompt);
    expect(after.inRam).toBeUndefined();
    expect(reusedBack).toBeGreaterThanOrEqual(firstPrompt - 1);
  });
});
