import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import { turnRecord } from "../../test/support/turn-records.js";
import type { Backend, BackendHealth, BackendKind, TokenCount } from "../backends/backend.js";
import type { CanonicalEvent, CanonicalRequest } from "../core/canonical.js";
import { costConfigSchema } from "../cost/cost-config.js";
import { CostMeter } from "../cost/turn-cost.js";
import { LaneTracker } from "../sessions/lane-tracker.js";
import type { SessionIdentity } from "../sessions/session-identity.js";
import { SESSION_CAPACITY } from "../sessions/session-table.js";
import { ModelRouter, type Route } from "./model-router.js";
import { routingConfigSchema } from "./routing-config.js";
import { SessionRouter } from "./session-router.js";

/** Routing needs a name, locality, models, a context window and a token count; nothing is streamed here. */
class FakeBackend implements Backend {
  readonly baseUrl = "http://fake.invalid";
  counts = 0;

  constructor(
    readonly name: string,
    readonly kind: BackendKind,
    readonly local: boolean,
    private readonly models: string[],
    private readonly context: number | undefined,
    private readonly exactTokens = 0,
  ) {}

  async listModels(): Promise<string[]> {
    return this.models;
  }

  async *stream(): AsyncGenerator<CanonicalEvent> {
    yield* [];
  }

  async countTokens(): Promise<TokenCount> {
    this.counts++;
    return { tokens: this.exactTokens, exact: true };
  }

  async health(): Promise<BackendHealth> {
    return { ok: true, detail: "fake" };
  }

  async contextSize(): Promise<number | undefined> {
    return this.context;
  }

  async close(): Promise<void> {}
}

/** The request as a client that asks for a route (`x-switchyard-route`) sends it. */
const routed = (request: CanonicalRequest, route: string): CanonicalRequest => ({
  ...request,
  client: { ...request.client, headers: { ...request.client.headers, "x-switchyard-route": route } },
});

function request(text: string, tools = true): CanonicalRequest {
  return canonicalRequest({
    messages: [{ role: "user", parts: [{ type: "text", text }] }],
    tools: tools ? [{ name: "Bash", description: "run", inputSchema: {} }] : [],
    maxTokens: 64,
    thinking: { mode: "adaptive" },
  });
}

const identity = (kind: SessionIdentity["kind"], sessionId = "s"): SessionIdentity => ({
  sessionId,
  name: kind === "subagent" ? "subagent:a" : kind,
  kind,
  source: "x-session-id",
});

async function setup(routing: Record<string, unknown> = {}, localTokens = 0) {
  const local = new FakeBackend("local", "llama-server", true, ["qwen.gguf"], 4096, localTokens);
  const small = new FakeBackend("small", "llama-server", true, ["tiny.gguf"], 2048, localTokens);
  const cloud = new FakeBackend("cloud", "anthropic", false, ["claude-sonnet-4-5-20250929"], 200_000);
  const router = new ModelRouter([local, small, cloud]);
  await router.refresh();
  const sessions = await SessionRouter.create(
    router,
    routingConfigSchema.parse(routing),
    new CostMeter(costConfigSchema.parse({})),
  );
  return { local, small, cloud, router, sessions };
}
const signal = new AbortController().signal;

describe("session router", () => {
  it("sends a lane to its configured backend and orders the fallback chain local first", async () => {
    const { sessions } = await setup({ lanes: { side: "small" } });
    const side = await sessions.plan(request("title please", false), identity("side"), signal);
    expect(side.chain.map((route) => route.backend.name)).toEqual(["small", "local", "cloud"]);
    expect(side.record).toMatchObject({ rule: "lane", reason: "side lane → small" });
    const main = await sessions.plan(request("hi"), identity("main"), signal);
    expect(main.chain.map((route) => route.backend.name)).toEqual(["local", "small", "cloud"]);
    // Two local backends: the model router places the session (and keeps it there).
    expect(main.record.rule).toBe("session-placement");
  });

  it("follows a configured fallback chain", async () => {
    const { sessions } = await setup({ fallback: { chains: { local: ["cloud"] } } });
    const plan = await sessions.plan(request("hi"), identity("main"), signal);
    expect(plan.chain.map((route) => route.backend.name)).toEqual(["local", "cloud"]);
  });

  it("counts exactly only near the window, and moves a request that does not fit", async () => {
    const { local, sessions } = await setup({}, 5000);
    await sessions.plan(request("short"), identity("main"), signal);
    expect(local.counts).toBe(0);
    const plan = await sessions.plan(request("x ".repeat(3000)), identity("main", "big"), signal);
    expect(local.counts).toBe(1);
    // `small` (2048) is counted too and does not fit; the cloud's bound is far below its window.
    expect(plan.chain[0]?.backend.name).toBe("cloud");
    expect(plan.record.fit).toEqual({ backend: "local", tokens: 5000, exact: true, context: 4096 });
  });

  it("bounds a growing lane by its last counted prompt plus the bytes added, without counting again", async () => {
    const { local, sessions } = await setup({}, 3000);
    const main = identity("main", "grows");
    const earlier = request("x ".repeat(1800));
    expect((await sessions.plan(earlier, main, signal)).chain[0]?.backend.name).toBe("local");
    expect(local.counts).toBe(1);
    const message = {
      id: "m",
      model: "x",
      blocks: [],
      stopReason: undefined,
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      timings: undefined,
      error: undefined,
    };
    // llama-server said the prompt was 1200 tokens: far under the byte bound.
    sessions.complete(turnRecord({ backend: "local", promptTokens: 1200 }), message, main, earlier);
    const later = request(`${"x ".repeat(1800)}${"y".repeat(200)}`);
    expect((await sessions.plan(later, main, signal)).chain[0]?.backend.name).toBe("local");
    expect(local.counts).toBe(1);
  });

  it("estimates a switch from the lane's measured prefill speed and the cloud's cache-write price", async () => {
    const { sessions } = await setup();
    const main = identity("main");
    const firstRequest = request("a".repeat(4000));
    const first = await sessions.plan(firstRequest, main, signal);
    expect(first.record.switchCost).toBeUndefined();
    const message = {
      id: "m",
      model: "x",
      blocks: [],
      stopReason: undefined,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      timings: undefined,
      error: undefined,
    };
    sessions.complete(
      turnRecord({ backend: "local", prefilledTokens: 1000, prefillTokensPerSecond: 500, promptTokens: 1000 }),
      message,
      main,
      firstRequest,
    );
    const escalated = routed(request("a".repeat(4000)), "cloud");
    const moved = await sessions.plan(escalated, main, signal);
    expect(moved.chain[0]?.backend.name).toBe("cloud");
    // The Claude model the client named, not the cloud backend's first model.
    expect(moved.chain[0]?.model).toBe("claude-sonnet-4-5");
    const cost = moved.record.switchCost;
    expect(cost).toMatchObject({ from: "local", to: "cloud", exact: false });
    // Sonnet 4.5's 5-minute cache write: $3.75 per million tokens.
    expect(cost?.cacheWriteUsd).toBeCloseTo(((cost?.tokensNotCached ?? 0) * 3.75) / 1_000_000, 12);
    sessions.complete(
      turnRecord({ backend: "cloud", backendLocal: false, promptTokens: 1100 }),
      message,
      main,
      escalated,
    );
    const back = routed(request("a".repeat(4000)), "local");
    const returned = await sessions.plan(back, main, signal);
    // Back on local, whose cache may still hold the 1000 tokens it had; prefilled at the measured 500 tok/s.
    expect(returned.record.switchCost).toMatchObject({ from: "cloud", to: "local", prefillTokensPerSecond: 500 });
    const estimate = moved.record.switchCost?.tokensNotCached ?? 0;
    expect(returned.record.switchCost?.tokensNotCached).toBe(estimate - 1000);
    expect(returned.record.switchCost?.seconds).toBeCloseTo(
      (returned.record.switchCost?.tokensNotCached ?? 0) / 500,
      10,
    );
  });

  it("escalates after a local turn that stopped at max_tokens", async () => {
    const { sessions } = await setup();
    const main = identity("main");
    await sessions.plan(request("go"), main, signal);
    const message = {
      id: "m",
      model: "x",
      blocks: [],
      stopReason: { unified: "max_tokens" as const, raw: "length" },
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      timings: undefined,
      error: undefined,
    };
    sessions.complete(turnRecord({ backend: "local" }), message, main, undefined);
    const next = await sessions.plan(request("go on"), main, signal);
    expect(next.chain[0]?.backend.name).toBe("cloud");
    expect(next.record).toMatchObject({ rule: "max-tokens", sticky: false, mode: "cloud" });
  });

  it("plans a preview (count_tokens) as the turn would go, without taking a turn of the session's mode", async () => {
    const { sessions } = await setup();
    const main = identity("main", "previewed");
    await sessions.plan(request("go"), main, signal);
    const message = {
      id: "m",
      model: "x",
      blocks: [],
      stopReason: { unified: "max_tokens" as const, raw: "length" },
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      timings: undefined,
      error: undefined,
    };
    sessions.complete(turnRecord({ backend: "local" }), message, main, undefined);
    const state = { ...sessions.policy.state("previewed") };
    for (let count = 0; count < 2; count++) {
      const preview = await sessions.plan(request("go on"), main, signal, { preview: true });
      expect(preview.chain[0].backend.name).toBe("cloud");
      expect(preview.record).toMatchObject({ rule: "max-tokens", sticky: false, mode: "cloud" });
    }
    expect(sessions.policy.state("previewed")).toEqual(state);
    const turn = await sessions.plan(request("go on"), main, signal);
    expect(turn.record).toMatchObject({ rule: "max-tokens", sticky: false, mode: "cloud" });
  });

  it("takes a user rule's decision, and fails open to the configured rules saying why", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-rule-"));
    const good = join(directory, "good.mjs");
    writeFileSync(
      good,
      "export default ({ request }) => request.laneKind === 'subagent' ? { backend: 'small', reason: 'subagents are easy' } : undefined;",
    );
    const { sessions } = await setup({ module: good });
    expect((await sessions.plan(request("hi"), identity("subagent"), signal)).record).toMatchObject({
      rule: "module",
      reason: "subagents are easy",
      sticky: false,
    });
    expect((await sessions.plan(request("hi"), identity("main"), signal)).record.rule).toBe("session-placement");

    const slow = join(directory, "slow.mjs");
    writeFileSync(slow, "export default () => new Promise(() => {});");
    const timed = await (await setup({ module: slow, moduleTimeoutMs: 10 })).sessions.plan(
      request("hi"),
      identity("main"),
      signal,
    );
    expect(timed.chain[0]?.backend.name).toBe("local");
    expect(timed.record.moduleError).toBe("routing.module no answer within 10 ms; the configured rules decided");

    const missing = await (await setup({ module: join(directory, "absent.mjs") })).sessions.plan(
      request("hi"),
      identity("main"),
      signal,
    );
    expect(missing.record.moduleError).toMatch(/did not load/);
    expect(missing.chain[0]?.backend.name).toBe("local");
  });

  it("remembers as many lanes for miss explanations as for routing, and forgets a session in both at once", async () => {
    const { router, sessions } = await setup();
    const table = router.sessions;
    const tracker = new LaneTracker(table);
    const message = {
      id: "m",
      model: "x",
      blocks: [],
      stopReason: undefined,
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      timings: undefined,
      error: undefined,
    };
    const usage = { inputTokens: 100, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 };
    // A finished turn as the gateway records it: the miss analysis first, then routing learns.
    const finish = (lane: SessionIdentity, backend: string, body: CanonicalRequest) => {
      const analysis = tracker.analyze(lane, body, backend, usage, {});
      sessions.complete(turnRecord({ backend, promptTokens: 100 }), message, lane, body);
      return analysis;
    };
    const watched = identity("main", "watched");
    const side = identity("side", "watched");
    const first = request("hi");
    await sessions.plan(first, watched, signal);
    finish(watched, "local", first);
    table.recordDisplacement(side, identity("main", "other"));
    table.markSaved(side, "local");
    expect(table.peek("watched")).toMatchObject({ placement: "local", routing: { mode: "auto" } });
    // More live lanes than the miss analysis used to keep (512), in fewer sessions than the table's bound.
    const busy = Array.from({ length: 200 }, (_, index) => index);
    for (const index of busy)
      for (const kind of ["main", "side", "subagent"] as const) finish(identity(kind, `busy-${index}`), "local", first);
    const escalated = routed(request("hi"), "cloud");
    const moved = await sessions.plan(escalated, watched, signal);
    expect(moved.record.switchCost).toMatchObject({ from: "local", to: "cloud" });
    expect(finish(watched, "cloud", escalated).miss?.reason).toBe("backend-changed");
    expect(table.isSaved(side, "local")).toBe(true);

    // Past the bound: the watched session goes from every holder at once.
    for (let index = 0; index < SESSION_CAPACITY; index++) finish(identity("main", `later-${index}`), "local", first);
    expect(table.size).toBe(SESSION_CAPACITY);
    expect(table.peek("watched")).toBeUndefined();
    expect(sessions.modeOf("watched")).toBeUndefined();
    expect(sessions.switchCost(watched, moved.chain[1] as Route, 100, false)).toBeUndefined();
    expect(table.takeDisplacement(side)).toBeUndefined();
    expect(table.isSaved(side, "local")).toBe(false);
    const back = await sessions.plan(request("hi"), watched, signal);
    expect(back.record).toMatchObject({ mode: "auto", sticky: false });
    expect(back.record.switchCost).toBeUndefined();
    expect(finish(watched, "local", first)).toEqual({ expectedReuse: undefined, miss: undefined });
  });

  it("gives each backend the configured policy for another model's thinking", async () => {
    const defaults = await setup();
    expect(defaults.sessions.historyTarget(defaults.cloud)).toEqual({ thinking: "signed", foreignThinking: "drop" });
    expect(defaults.sessions.historyTarget(defaults.local)).toEqual({ thinking: "reasoning", foreignThinking: "text" });
    const configured = await setup({ crossModel: { thinkingToAnthropic: "text", thinkingToLocal: "drop" } });
    expect(configured.sessions.historyTarget(configured.cloud).foreignThinking).toBe("text");
    expect(configured.sessions.historyTarget(configured.local).foreignThinking).toBe("drop");
  });
});
