import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { freePort } from "../src/util/free-port.js";
import { gatewayInFront } from "./support/gateway-in-front.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/** Filler text of about 4 tokens a word that no other prompt starts with. */
const words = (seed: number, count: number) =>
  Array.from({ length: count }, (_, index) => `w${(index * 7919 + seed * 104_729) % 100_003}`).join(" ");

const TOOLS = [
  {
    name: "read",
    description: "Read a file",
    input_schema: { type: "object", properties: { path: { type: "string" } } },
  },
];

/** One turn of the lane (the main agent, or the subagent `agent`) of one Claude Code session. */
async function turn(
  gateway: RunningSwitchyard,
  messages: unknown[],
  agent?: string,
  session = "tight-context-session",
  limits: Record<string, unknown> = { max_tokens: 4 },
): Promise<TurnRecord> {
  const response = await fetch(`${gateway.url}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-claude-code-session-id": session,
      ...(agent ? { "x-claude-code-agent-id": agent } : {}),
    },
    body: JSON.stringify({ model: "claude-sonnet-4-5", ...limits, system: "Be terse.", tools: TOOLS, messages }),
  });
  const body = (await response.json()) as { content: unknown[] };
  expect(response.status, JSON.stringify(body)).toBe(200);
  messages.push({ role: "assistant", content: body.content.length > 0 ? body.content : "ok" });
  const record = gateway.recorder.recent(1)[0];
  if (!record) throw new Error("no turn record");
  return record;
}

/**
 * A main agent and a subagent taking turns, three rounds, each lane's prompt ~6,100 tokens on an 8,192-token
 * context shared by four slots: one lane's prompt fits, two do not. Each turn must reuse all of its lane's
 * last prompt.
 */
async function alternateLanes(gateway: RunningSwitchyard): Promise<void> {
  const lanes = [
    { messages: [] as unknown[], agent: undefined, seed: 1 },
    { messages: [] as unknown[], agent: "a1b2c3", seed: 2 },
  ];
  const previous = new Map<unknown[], number>();
  const reuse: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (const { messages, agent, seed } of lanes) {
      const text = round === 0 ? `Notes:\n${words(seed, 1000)}\nSay ok.` : `More: ${words(seed * 10 + round, 20)}`;
      messages.push({ role: "user", content: text });
      const record = await turn(gateway, messages, agent);
      const before = previous.get(messages);
      reuse.push(`${agent ? "subagent" : "main"} round ${round}: reused ${record.reusedTokens} of ${before ?? 0}`);
      if (before !== undefined) {
        // Everything the lane's last prompt held, give or take where the answer joins it.
        expect(record.reusedTokens as number, reuse.join("\n")).toBeGreaterThanOrEqual(before - 16);
        expect(record.miss, reuse.join("\n")).toBeUndefined();
      }
      previous.set(messages, record.promptTokens as number);
    }
  }
  console.log(reuse.join("\n"));
  // Each lane's prompt holds more than half the context: two do not fit at once.
  expect(Math.min(...previous.values())).toBeGreaterThan(4096);
}

/**
 * A llama-server as users start it with four slots over one unified KV cache and llama-server's default
 * `--cache-idle-slots` (idle slots go to the RAM prompt cache when a task starts). Claude Code's main agent
 * and a subagent each carry ~20K tokens of system prompt and tools, more than a 32K context holds twice.
 */
describe("a user's server that empties idle slots, with a context that holds one lane's prompt but not two", () => {
  let server: UserLlamaServer;
  let gateway: RunningSwitchyard;
  beforeAll(async () => {
    server = await startUserLlamaServer(await freePort(), [
      "--jinja",
      "--parallel",
      "4",
      "--kv-unified",
      "--ctx-size",
      "8192",
    ]);
    gateway = await gatewayInFront([server.url]);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
  });

  it("restores each turn from the RAM cache in the slot of the other lane's prompt: it reuses all of its lane's last prompt", async () => {
    await alternateLanes(gateway);
  }, 300_000);
});

/** The engine Switchyard launches (lanes pinned to slots that keep their prompts), on the same context. */
describe("an engine Switchyard launches, with a context that holds one lane's prompt but not two", () => {
  let gateway: RunningSwitchyard;
  beforeAll(async () => {
    gateway = await startSwitchyard({
      config: configSchema.parse({
        engine: { slots: 4, contextSize: 8192, cacheRamMiB: 1024 },
        telemetry: { turnsFile: null },
        store: { path: null },
      }),
      host: "127.0.0.1",
      port: 0,
      modelFile: inject("testModel"),
      engineBinary: async () => inject("llamaServer"),
      probeLocal: false,
      slotDirectory: mkdtempSync(join(tmpdir(), "switchyard-slots-")),
    });
  }, 300_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it("makes room for each turn by moving the other lane's prompt to the RAM cache: it reuses all of its lane's last prompt", async () => {
    await alternateLanes(gateway);
  }, 300_000);

  it("leaves both lanes in their slots when they fit together, though the client asks for a context's worth of answer", async () => {
    // ~3,000 tokens a lane: two fit in 8,192 with room to answer. Claude Code asks for 32,000 tokens (cut
    // to what the context leaves); the answers stop at "!" after a word.
    const limits = { max_tokens: 32_000, stop_sequences: ["!"] };
    const main: unknown[] = [{ role: "user", content: `Notes:\n${words(3, 500)}\nSay ok.` }];
    const subagent: unknown[] = [{ role: "user", content: `Notes:\n${words(4, 500)}\nSay ok.` }];
    await turn(gateway, main, undefined, "roomy-session", limits);
    const first = await turn(gateway, subagent, "d4e5f6", "roomy-session", limits);
    main.push({ role: "user", content: "More." });
    const again = await turn(gateway, main, undefined, "roomy-session", limits);
    expect(again.reusedTokens as number).toBeGreaterThan(2_900);
    // The subagent's prompt is still in its slot: nothing was moved to make room.
    const slots = (await (await fetch(`${gateway.engine?.url}/slots`)).json()) as Array<{
      id: number;
      n_prompt_tokens?: number;
    }>;
    const held = slots.find((slot) => slot.id === first.slot)?.n_prompt_tokens ?? 0;
    expect(
      held,
      JSON.stringify(slots.map(({ id, n_prompt_tokens }) => ({ id, n_prompt_tokens }))),
    ).toBeGreaterThanOrEqual(first.promptTokens as number);
  }, 300_000);
});
