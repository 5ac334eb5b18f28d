import { describe, expect, it } from "vitest";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const notes = (label: string) => Array.from({ length: 500 }, (_, index) => `${label} note ${index}.`).join("\n");
const tools = [
  { name: "Bash", description: "Run", input_schema: { type: "object", properties: { command: { type: "string" } } } },
];

async function turn(url: string, session: string, messages: unknown[]) {
  const response = await fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-claude-code-session-id": session },
    body: JSON.stringify({ model: "sonnet", max_tokens: 32, system: notes(session), tools, messages }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { usage: { input_tokens: number; cache_read_input_tokens: number } };
}

/** One slot, no RAM prompt cache: only a saved slot file can bring a displaced lane's prefix back. */
describe.each([true, false])("a lane displaced from the only slot (slotSave: %s)", (slotSave) => {
  it(slotSave ? "comes back warm from its saved slot file" : "comes back cold", async () => {
    const gateway = await startTestGateway({ engine: { slots: 1, contextSize: 16384, cacheRamMiB: 0, slotSave } });
    try {
      const first = [{ role: "user", content: "first question" }];
      const one = await turn(gateway.url, "lane-a", first);
      const prompt = one.usage.input_tokens + one.usage.cache_read_input_tokens;
      await turn(gateway.url, "lane-b", [{ role: "user", content: "another session" }]);
      const two = await turn(gateway.url, "lane-a", [
        ...first,
        { role: "assistant", content: "an answer" },
        { role: "user", content: "second question" },
      ]);
      if (slotSave) expect(two.usage.cache_read_input_tokens).toBeGreaterThanOrEqual(prompt - 4);
      else expect(two.usage.cache_read_input_tokens).toBeLessThan(prompt / 2);
      const record = (await waitForTurns(gateway.recorder, 3)).at(-1);
      expect(record?.lane).toBe("main");
      if (!slotSave) expect(record?.miss?.reason).toBe("slot-reassigned");
    } finally {
      await gateway.close();
    }
  });
});
