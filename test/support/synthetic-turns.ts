import type { TurnRecord } from "../../src/telemetry/turn-record.js";
import { seededRandom } from "../../src/test-model/seeded-random.js";

/**
 * Synthetic turn records of the gateway's shape (not traffic): `syntheticTurn` for store tests and the
 * store benchmark, `generatedTurns` for sizing the dashboard's endpoints.
 */

export const SYNTHETIC_BASE = Date.parse("2026-11-01T00:00:00.000Z");

/** What every synthetic turn shares: the `index`th of a run one second apart from `startMs`, a finished Anthropic turn. */
function turnSkeleton(index: number, startMs: number, local: boolean) {
  return {
    id: `turn-${index}`,
    startedAt: new Date(startMs + index * 1000).toISOString(),
    protocol: "anthropic",
    endpoint: "messages",
    requestedModel: "claude-sonnet-4-5",
    backend: local ? "local" : "cloud",
    backendLocal: local,
    stream: true,
    timings: undefined,
    stopReason: { unified: "end_turn", raw: "stop" },
    error: undefined,
    clientAborted: false,
  } satisfies Partial<TurnRecord>;
}

/**
 * One turn record: `index` makes each unique and orders them in time; sessions, lanes, backends, errors
 * and misses recur with fixed periods.
 */
export function syntheticTurn(index: number, overrides: Partial<TurnRecord> = {}): TurnRecord {
  const local = index % 5 !== 0;
  return {
    ...turnSkeleton(index, SYNTHETIC_BASE, local),
    backendModel: local ? "qwen" : "claude-sonnet-4-5",
    routeReason: "default",
    sessionId: `session-${index % 37}`,
    lane: index % 3 === 0 ? "side" : "main",
    laneKind: index % 3 === 0 ? "side" : "main",
    slot: index % 4,
    status: index % 97 === 0 ? 502 : 200,
    ttftMs: 100 + (index % 50),
    durationMs: 900 + index,
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: index, cacheWriteTokens: 0 },
    promptTokens: 10 + index,
    reusedTokens: index,
    prefilledTokens: 10,
    outputTokens: 5,
    expectedReuse: index,
    prefillTokensPerSecond: 500,
    decodeTokensPerSecond: 20,
    miss:
      index % 11 === 0
        ? { reason: index % 2 ? "slot-reassigned" : "prompt-changed", explanation: `miss ${index}` }
        : undefined,
    ...overrides,
  };
}

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
 * Many plausible turn records spread over sessions, one second apart, oldest first. Numbers vary by a
 * seeded generator so sums are not trivially equal.
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
      ...turnSkeleton(index, start, !cloud),
      backendModel: cloud ? "claude-sonnet-4-5" : "qwen3.5-4b",
      routeReason: cloud ? "escalated" : "default",
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
