import { describe, expect, inject, it } from "vitest";
import type { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { replayedTurn } from "../src/bench/recorded-door.js";
import { kvBytesPerToken } from "../src/fit/kv-bytes-per-token.js";
import { recordedClaudeCode, sendRecorded } from "./support/recorded-claude-code.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

/**
 * Two Claude Code sessions open one after the other on the engine Switchyard launches: the same system
 * prompt (once the billing header is dropped) and the same 12 tools. The second gets an empty slot, which
 * llama-server never fills from its RAM cache, so before it prefilled all ~12K tokens.
 */
describe("a new session's first turn on the launched engine", () => {
  it("starts from the slot of a session with the same head, which keeps its own prompt", async () => {
    const gateway = await startTestGateway();
    try {
      // Slot 1 holds a prompt no lane sent (as the server's own placement of a probe leaves one): the copy
      // replaces it.
      const probe = await fetch(`${gateway.engine?.url}/completion`, {
        method: "POST",
        body: JSON.stringify({ prompt: "A probe's prompt.", id_slot: 1, n_predict: 1 }),
      });
      expect(probe.status).toBe(200);
      const first = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
      const firstPrompt = first.input_tokens + first.cache_read_input_tokens;
      expect(firstPrompt).toBeGreaterThan(10_000);

      const second = await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "002.json"));
      // The two prompts part in the first user message (its git status); all before comes from the copy.
      const [a = [], b = []] = await Promise.all(
        [recordedClaudeCode("basic-session", "002.json"), recordedClaudeCode("thinking-session", "002.json")].map(
          (request) =>
            (gateway.backends[0] as LlamaServerBackend).promptTokens(
              replayedTurn(request, 8).canonical,
              "m",
              AbortSignal.timeout(60_000),
            ),
        ),
      );
      let common = 0;
      while (common < a.length && a[common] === b[common]) common++;
      expect(common).toBeGreaterThan(9_000);
      expect(second.cache_read_input_tokens).toBe(common);

      const records = await waitForTurns(gateway.recorder, 2);
      const [one, two] = [records[0], records[1]];
      expect([one?.slot, two?.slot]).toEqual([0, 1]);
      expect(two?.prefixCopy?.fromSlot).toBe(one?.slot);
      expect(two?.prefixCopy?.fromLane).toBe(`${one?.sessionId}/main`);
      expect(two?.prefixCopy?.tokens).toBeGreaterThanOrEqual(firstPrompt);
      // The copy's cost was weighed with the file's size per token from the model's header (the fit
      // planner's KV arithmetic): within a tenth of the file llama-server wrote.
      const estimate = (await kvBytesPerToken(inject("testModel"), [])) ?? 0;
      const measured = (two?.prefixCopy?.bytes ?? 0) / (two?.prefixCopy?.tokens ?? 1);
      expect(measured / estimate).toBeGreaterThan(0.9);
      expect(measured / estimate).toBeLessThan(1.1);
      // The engine's cache types count: q8_0 holds a value in 34/32 bytes, f16 in 2.
      const q8 = (await kvBytesPerToken(inject("testModel"), ["-ctk", "q8_0", "-ctv", "q8_0"])) ?? 0;
      expect(q8 - 4).toBe(((estimate - 4) * 34) / 64);
      expect(gateway.log.join("\n")).toContain(`main@slot${two?.slot} (copied slot${one?.slot}: `);

      // The first session's next turn, on its own slot: a copy, not a move, so its prompt is all there.
      const next = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "003.json"));
      expect(next.cache_read_input_tokens).toBeGreaterThanOrEqual(firstPrompt - 4);
      expect((await waitForTurns(gateway.recorder, 3))[2]?.slot).toBe(one?.slot);
    } finally {
      await gateway.close();
    }
  });

  it("takes an idle lane's slot once all are held, and that lane finds its prompt when it comes back", async () => {
    // Two slots: the first session's main agent, then another session's subagent (another system prompt).
    const gateway = await startTestGateway({ engine: { slots: 2, contextSize: 65536, cacheRamMiB: 2048 } });
    try {
      await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
      const subagent = await sendRecorded(gateway.url, recordedClaudeCode("agent-session", "004.json"));
      const subagentPrompt = subagent.input_tokens + subagent.cache_read_input_tokens;
      // A third session takes the subagent's slot (the least important idle lane) and starts from a copy of
      // the first session's.
      const third = await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "002.json"));
      expect(third.cache_read_input_tokens).toBeGreaterThan(9_000);
      const records = await waitForTurns(gateway.recorder, 3);
      expect(records[2]?.slot).toBe(records[1]?.slot);
      expect(records[2]?.prefixCopy?.fromSlot).toBe(records[0]?.slot);
      // The subagent comes back to the first session's slot (now the least recently used), where the server
      // finds its prompt in the RAM cache: the copy did not overwrite it unsaved.
      const back = await sendRecorded(gateway.url, recordedClaudeCode("agent-session", "005.json"));
      expect(back.cache_read_input_tokens).toBeGreaterThanOrEqual(subagentPrompt - 4);
      expect((await waitForTurns(gateway.recorder, 4))[3]?.slot).toBe(records[0]?.slot);
    } finally {
      await gateway.close();
    }
  });

  it("gives a session whose slot another took its whole prompt back, not only the head they share", async () => {
    const gateway = await startTestGateway({ engine: { slots: 2, contextSize: 65536, cacheRamMiB: 2048 } });
    try {
      const first = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "002.json"));
      const firstPrompt = first.input_tokens + first.cache_read_input_tokens;
      const second = await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "002.json"));
      const secondPrompt = second.input_tokens + second.cache_read_input_tokens;
      // A third session takes the first one's slot (both main agents: the least recently used).
      await sendRecorded(gateway.url, recordedClaudeCode("compact-session", "002.json"));
      // The first comes back and takes the second's slot: each finds its whole prompt in the RAM cache,
      // where taking a slot moved it, though the slot it lands on holds the same ~9.6K-token head.
      const firstBack = await sendRecorded(gateway.url, recordedClaudeCode("basic-session", "003.json"));
      expect(firstBack.cache_read_input_tokens).toBeGreaterThanOrEqual(firstPrompt - 4);
      const secondBack = await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "003.json"));
      expect(secondBack.cache_read_input_tokens).toBeGreaterThanOrEqual(secondPrompt - 4);
      const slots = (await waitForTurns(gateway.recorder, 5)).map((record) => record.slot);
      expect(slots).toEqual([0, 1, 0, 1, 0]);
    } finally {
      await gateway.close();
    }
  });

  it("copies a long session's slot when the model's KV size says the copy costs under half the prefill", async () => {
    // The first session's first prompt carries ~14K tokens more than the head: its slot holds over twice
    // the head, which a copy of unknown size would not be worth.
    const filler = "The quick brown fox jumps over the lazy dog again and again. ".repeat(1200);
    const long = structuredClone(recordedClaudeCode("basic-session", "002.json"));
    const messages = (long.body as { messages: Array<{ content: Array<Record<string, unknown>> }> }).messages;
    messages.at(-1)?.content.push({ type: "text", text: filler });
    const gateway = await startTestGateway({ engine: { slots: 4, contextSize: 131072, cacheRamMiB: 2048 } });
    try {
      const first = await sendRecorded(gateway.url, long);
      const firstPrompt = first.input_tokens + first.cache_read_input_tokens;
      const second = await sendRecorded(gateway.url, recordedClaudeCode("thinking-session", "002.json"));
      expect(second.cache_read_input_tokens).toBeGreaterThan(9_000);
      expect(firstPrompt).toBeGreaterThan(second.cache_read_input_tokens * 2);
      const copy = (await waitForTurns(gateway.recorder, 2))[1]?.prefixCopy;
      expect(copy?.tokens).toBeGreaterThanOrEqual(firstPrompt);
    } finally {
      await gateway.close();
    }
  });
});
