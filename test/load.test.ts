import { readdirSync } from "node:fs";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReplayUpstream, startReplayUpstream } from "../bench/support/replay-upstream.js";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { openAIFrames } from "./support/plain-client.js";

/**
 * A short bounded load run inside `npm test` (bench:load is the long one): 32 concurrent streaming
 * sessions, half on each door, a few turns each, against a loopback replay of a recorded llama-server
 * stream. It asserts no error and that open file descriptors stop growing once warmed up; never time.
 */
const SESSIONS = 32;
const ROUNDS = 4;
const openFds = () => readdirSync("/proc/self/fd").length;

describe("32 concurrent streaming sessions", () => {
  let upstream: ReplayUpstream;
  let gateway: RunningSwitchyard;
  const client = new Agent({ connections: SESSIONS, keepAliveTimeout: 30_000 });

  beforeAll(async () => {
    upstream = await startReplayUpstream(1, SESSIONS);
    gateway = await startSwitchyard({
      config: configSchema.parse({
        backends: [{ name: "replay", type: "llama-server", url: upstream.url }],
        telemetry: { turnsFile: null },
      }),
      port: 0,
      probeLocal: false,
    });
  });
  afterAll(async () => {
    await client.close();
    await gateway?.close();
    await upstream?.close();
  });

  async function turn(session: number, round: number): Promise<void> {
    const anthropic = session % 2 === 0;
    const response = await fetch(`${gateway.url}${anthropic ? "/v1/messages" : "/v1/chat/completions"}`, {
      method: "POST",
      dispatcher: client,
      headers: {
        "content-type": "application/json",
        ...(anthropic ? { "x-claude-code-session-id": `load-${session}` } : { "x-session-id": `load-${session}` }),
      },
      body: JSON.stringify({
        model: "local",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: `session ${session}, round ${round}` }],
      }),
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    if (anthropic) expect(checkAnthropicStream(text).violations).toEqual([]);
    else expect(openAIFrames(text).chunks.some((chunk) => chunk.error)).toBe(false);
  }

  it("serves every turn without error, and file descriptors stay bounded after warm-up", async () => {
    const round = (index: number) =>
      Promise.all(Array.from({ length: SESSIONS }, (_, session) => turn(session, index)));
    await round(0);
    const afterWarmup = openFds();
    for (let index = 1; index < ROUNDS; index++) await round(index);
    const atEnd = openFds();
    console.log(`load: ${SESSIONS} sessions × ${ROUNDS} turns; open FDs after warm-up ${afterWarmup}, at end ${atEnd}`);
    expect(atEnd).toBeLessThanOrEqual(Math.ceil(afterWarmup * 1.1));
    expect(upstream.completions).toBe(SESSIONS * ROUNDS);
    const turns = gateway.recorder.recent(10_000);
    expect(turns.length).toBeGreaterThanOrEqual(SESSIONS * ROUNDS - SESSIONS);
    expect(turns.filter((record) => record.status !== 200 || record.error)).toEqual([]);
  });
});
