import type { TurnRecord } from "../../src/telemetry/turn-record.js";
import { seededRandom } from "../../src/test-model/seeded-random.js";

export interface GeneratedTurnsOptions {
  turns: number;
  sessions: number;
  seed?: number;
  /** Every nth turn goes to the cloud and carries cost (as the router's records will). */
  cloudEvery?: number;
  /** Every nth turn is a cache miss with a divergence. */
  missEvery?: number;
}

/**
 * Many plausible turn records (not traffic: for sizing the dashboard's endpoints), spread over sessions,
 * one second apart, oldest first. Numbers vary by a seeded generator so sums are not trivially equal.
 */
export function generatedTurns(options: GeneratedTurnsOptions): TurnRecord[] {
  const random = seededRandom(options.seed ?? 7);
  const start = Date.parse("2026-01-05T09:00:00Z");
  const turns: TurnRecord[] = [];
  for (let index = 0; index < options.turns; index++) {
    const session = index % options.sessions;
    const cloud = options.cloudEvery !== undefined && index % options.cloudEvery === 0;
    const missed = options.missEvery !== undefined && index % options.missEvery === 0;
    const prompt = 2000 + Math.floor(random() * 80_000);
    const reused = missed ? Math.floor(prompt * 0.2) : prompt - Math.floor(random() * 400);
    const output = 20 + Math.floor(random() * 600);
    const record: TurnRecord = {
      id: `turn-${index}`,
      startedAt: new Date(start + index * 1000).toISOString(),
      protocol: "anthropic",
      endpoint: "messages",
      requestedModel: "claude-sonnet-4-5",
      backend: cloud ? "cloud" : "local",
      backendModel: cloud ? "claude-sonnet-4-5" : "qwen3.5-4b",
      backendLocal: !cloud,
      routeReason: cloud ? "escalated" : "default",
      stream: true,
      sessionId: `session-${String(session).padStart(4, "0")}`,
      lane: "main",
      laneKind: "main",
      slot: cloud ? undefined : session % 4,
      status: 200,
      ttftMs: 50 + random() * 3000,
      durationMs: 500 + random() * 20_000,
      usage: { inputTokens: prompt - reused, cacheReadTokens: reused, outputTokens: output, cacheWriteTokens: 0 },
      promptTokens: prompt,
      reusedTokens: reused,
      prefilledTokens: prompt - reused,
      outputTokens: output,
      expectedReuse: missed ? undefined : prompt - 500,
      prefillTokensPerSecond: 800,
      decodeTokensPerSecond: 30,
      miss: missed
        ? {
            reason: "prompt-changed",
            explanation: "the prompt no longer extends the previous turn's: messages[0].content[0] changed",
            divergence: { path: "messages[0].content[0]", before: "first question", after: "another question" },
          }
        : undefined,
      timings: undefined,
      stopReason: { unified: "end_turn", raw: "stop" },
      error: undefined,
      clientAborted: false,
    };
    // The shapes routing and cost accounting write (src/cost/turn-cost.ts, src/routing/routing-record.ts).
    const listPrice = (prompt - reused) * 3e-6 + reused * 0.3e-6 + output * 15e-6;
    const extra = cloud
      ? {
          cost: { usd: listPrice, modelPriced: "claude-sonnet-4-5" },
          routing: {
            rule: "tool-errors",
            reason: "2 tool errors in a row",
            sticky: false,
            mode: "cloud",
            switchCost: {
              from: "local",
              to: "cloud",
              tokensNotCached: prompt,
              exact: true,
              cacheWriteUsd: prompt * 3.75e-6,
            },
          },
        }
      : { cost: { referenceUsd: listPrice, energyUsd: 0.0001, modelPriced: "claude-sonnet-4-5" } };
    turns.push(Object.assign(record, extra));
  }
  return turns;
}
