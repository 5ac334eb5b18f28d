import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { PostgresTurnStore } from "../src/store/postgres-turn-store.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import {
  type AnthropicProtocolServer,
  documentedError,
  type ScriptedResponse,
  startAnthropicProtocolServer,
} from "./support/anthropic-protocol-server.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { fixtureRequests } from "./support/fixtures.js";
import { type PostgresServer, startPostgres } from "./support/postgres-server.js";
import { postFixture } from "./support/routing-replay.js";
import { waitForTurns } from "./support/turn-records.js";

const CLOUD_MODEL = "claude-sonnet-4-5-20250929";

/**
 * Two replicas (gateways of their own, each with its session table, cooldowns and connections) on one
 * real PostgreSQL store, one real llama-server and a loopback server speaking Anthropic's protocol from
 * its documented fixtures. What one replica decides (a session's mode set by the route header, a backend
 * cooling down after a failure, and its recovery) the other acts on at the next request. Their local
 * copies of the shared state are trusted for 10 minutes here (`replica.stateCacheSeconds`), so only the
 * other replica's announced change (NOTIFY) can make them read again.
 */
describe("routing state shared by two replicas", () => {
  let postgres: PostgresServer;
  let engine: EngineSupervisor;
  let cloud: AnthropicProtocolServer;
  let cloudAnswer: () => ScriptedResponse = () => ({ status: 200, sse: "text-stream" });
  const replicas: RunningSwitchyard[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    const storeUrl = await postgres.createDatabase("routing");
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: agentEngineArgs(configSchema.parse({ engine: { slots: 2, contextSize: 16384, cacheRamMiB: 0 } }).engine),
      maxRestarts: 0,
    });
    cloud = await startAnthropicProtocolServer({ script: () => cloudAnswer() });
    for (const name of ["a", "b"]) {
      const replica = await startSwitchyard({
        config: configSchema.parse({
          backends: [
            { name: "local", type: "llama-server", url: engine.url },
            { name: "cloud", type: "anthropic", url: cloud.url, apiKey: "sk-ant-test", models: [CLOUD_MODEL] },
          ],
          store: { url: storeUrl },
          replica: { name, stateCacheSeconds: 600 },
          // Long enough that a cooldown cannot end by itself during the test.
          routing: { fallback: { cooldownMs: 600_000 } },
          telemetry: { turnsFile: null },
        }),
        host: "127.0.0.1",
        port: 0,
        probeLocal: false,
      });
      replicas.push(replica);
      await (replica.store as PostgresTurnStore).listening();
    }
  }, 600_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await engine?.stop();
    await cloud?.close();
    await postgres?.stop();
  });

  // The bare session's first main-lane request: small, so its local turns prefill quickly.
  const request = () => {
    const found = fixtureRequests("bare-session").filter((each) => each.method === "POST")[1];
    if (!found) throw new Error("no fixture request");
    return found;
  };
  async function send(replica: RunningSwitchyard, session: string, route?: "cloud" | "local") {
    const before = replica.recorder.recent(100_000).length;
    const cloudCalls = cloud.requests.length;
    const response = await postFixture(replica.url, request(), request().body, {
      "x-claude-code-session-id": session,
      ...(route ? { "x-switchyard-route": route } : {}),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(checkAnthropicStream(text).violations).toEqual([]);
    const turn = (await waitForTurns(replica.recorder, before + 1)).at(-1) as TurnRecord;
    return { turn, cloudCalls: cloud.requests.length - cloudCalls };
  }
  /**
   * Waits until a replica has heard what the other wrote (a backend's cooldown, a session's mode): after
   * `refresh`, `read` gives `expected`. NOTIFY reaches it on its own connection some time after the
   * writer's commit, which can be after the test's next request (CI at 5f23268: b still held the cloud's
   * cooldown one request after a's recovery was written). Without the notification, b's cache (10 minutes
   * for cooldowns; a session's copy until announced) keeps the old state and this times out.
   */
  async function heard(refresh: () => Promise<void>, read: () => unknown, expected: unknown) {
    await vi.waitFor(
      async () => {
        await refresh();
        expect(read()).toEqual(expected);
      },
      { timeout: 10_000, interval: 20 },
    );
  }

  it("takes a session's mode set on one replica, at the other's next turn of it", async () => {
    const [a, b] = replicas as [RunningSwitchyard, RunningSwitchyard];
    // b knows the session first (its copy of the state is then fresh for b's cache interval).
    const first = await send(b, "moved", "cloud");
    expect(first.turn.backend).toBe("cloud");
    // a gets the header that pins it local; b's next turn, with no header, follows.
    const pinned = await send(a, "moved", "local");
    expect(pinned.turn.backend).toBe("local");
    await heard(
      () => b.routing.refreshSession("moved"),
      () => b.routing.sessions.peek("moved")?.routing?.mode,
      "local",
    );
    const onB = await send(b, "moved");
    expect(onB.turn.backend, JSON.stringify(onB.turn.routing)).toBe("local");
    expect(onB.turn.routing?.rule).toBe("header");
    // And back: escalated by the header on b, a's next turn is in the cloud.
    expect((await send(b, "moved", "cloud")).turn.backend).toBe("cloud");
    await heard(
      () => a.routing.refreshSession("moved"),
      () => a.routing.sessions.peek("moved")?.routing?.mode,
      "cloud",
    );
    const onA = await send(a, "moved");
    expect(onA.turn.backend, JSON.stringify(onA.turn.routing)).toBe("cloud");
    expect(onA.turn.routing?.mode).toBe("cloud");
  }, 600_000);

  it("leaves a backend that failed on one replica alone on the other, until it recovered", async () => {
    const [a, b] = replicas as [RunningSwitchyard, RunningSwitchyard];
    // b has read the (empty) cooldowns before the failure: only a's announced change can tell it.
    expect((await send(b, "warm-b", "cloud")).turn.backend).toBe("cloud");
    cloudAnswer = () => documentedError(529);
    const failed = await send(a, "cool-a", "cloud");
    expect(failed.turn.backend).toBe("local");
    expect(failed.turn.routing?.fallback).toEqual([expect.objectContaining({ backend: "cloud" })]);
    cloudAnswer = () => ({ status: 200, sse: "text-stream" });
    await heard(
      () => b.routing.cooldowns.refresh(),
      () => b.routing.cooldowns.describe("cloud"),
      {
        failures: 1,
        lastError: "upstream_unavailable",
      },
    );

    // b passes over the cooling cloud without sending it anything.
    const skipped = await send(b, "cool-b", "cloud");
    expect(skipped.cloudCalls).toBe(0);
    expect(skipped.turn.backend).toBe("local");
    expect(skipped.turn.routing?.skipped?.map((entry) => entry.backend)).toEqual(["cloud"]);

    // The cloud answers on a again (its success forgets the failures); b sends to it again.
    a.routing.cooldowns.succeed("cloud");
    await a.routing.cooldowns.settled();
    await heard(
      () => b.routing.cooldowns.refresh(),
      () => b.routing.cooldowns.describe("cloud"),
      undefined,
    );
    const recovered = await send(b, "cool-c", "cloud");
    expect(recovered.cloudCalls).toBe(1);
    expect(recovered.turn.backend).toBe("cloud");
  }, 600_000);
});
