import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import {
  type AnthropicProtocolServer,
  documentedError,
  type ScriptedResponse,
  startAnthropicProtocolServer,
} from "./support/anthropic-protocol-server.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { fixtureRequests } from "./support/fixtures.js";
import { processAlive } from "./support/process-alive.js";
import { postFixture } from "./support/routing-replay.js";
import { waitForTurns } from "./support/turn-records.js";

const CLOUD_MODEL = "claude-sonnet-4-5-20250929";

/**
 * Failover between a real llama-server (started here, with no restarts, so killing it by PID keeps it
 * dead) and a loopback server speaking Anthropic's protocol from its documented fixtures.
 */
describe("fallback chains", () => {
  let engine: EngineSupervisor;
  let cloud: AnthropicProtocolServer;
  let gateway: RunningSwitchyard;
  let cloudAnswer: () => ScriptedResponse = () => ({ status: 200, sse: "text-stream" });
  beforeAll(async () => {
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: agentEngineArgs(configSchema.parse({ engine: { slots: 2, contextSize: 32768, cacheRamMiB: 0 } }).engine),
      maxRestarts: 0,
    });
    cloud = await startAnthropicProtocolServer({ script: () => cloudAnswer() });
    gateway = await startSwitchyard({
      config: configSchema.parse({
        backends: [
          { name: "local", type: "llama-server", url: engine.url },
          { name: "cloud", type: "anthropic", url: cloud.url, apiKey: "sk-ant-test", models: [CLOUD_MODEL] },
        ],
        telemetry: { turnsFile: null },
      }),
      host: "127.0.0.1",
      port: 0,
      probeLocal: false,
    });
  });
  beforeEach(() => {
    cloudAnswer = () => ({ status: 200, sse: "text-stream" });
  });
  afterAll(async () => {
    await gateway?.close();
    await engine?.stop();
    await cloud?.close();
  });

  const requests = () => fixtureRequests("basic-session").filter((request) => request.method === "POST");
  const send = async (index: number, headers: Record<string, string> = {}) => {
    const request = requests()[index];
    if (!request) throw new Error(`no fixture request ${index}`);
    const before = gateway.recorder.recent(100_000).length;
    const response = await postFixture(gateway.url, request, request.body, headers);
    const text = await response.text();
    const turn = (await waitForTurns(gateway.recorder, before + 1)).at(-1) as TurnRecord;
    return { response, text, turn };
  };

  it("moves to the local engine when the cloud answers 529, before any byte reaches the client", async () => {
    cloudAnswer = () => documentedError(529);
    const { response, text, turn } = await send(2, {
      "x-claude-code-session-id": "cloud-first",
      "x-switchyard-route": "cloud",
    });
    expect(response.status).toBe(200);
    expect(checkAnthropicStream(text).violations).toEqual([]);
    expect(turn.backend).toBe("local");
    expect(turn.routing?.rule).toBe("header");
    expect(turn.routing?.fallback).toEqual([
      expect.objectContaining({ backend: "cloud", code: "upstream_unavailable" }),
    ]);
    expect(gateway.routing.cooldowns.describe("cloud")).toEqual({ failures: 1, lastError: "upstream_unavailable" });
    gateway.routing.cooldowns.succeed("cloud");
  }, 600_000);

  it("sends a stream that breaks after its first bytes to the client as a final error event, without retrying", async () => {
    // The documented stream cut inside its first content delta: message_start has gone out.
    cloudAnswer = () => ({ status: 200, sse: "text-stream", cutAfterBytes: 600 });
    const { response, text, turn } = await send(2, {
      "x-claude-code-session-id": "cut",
      "x-switchyard-route": "cloud",
    });
    expect(response.status).toBe(200);
    expect(text.match(/event: message_start/g)).toHaveLength(1);
    expect(text).toMatch(/event: error/);
    expect(turn.backend).toBe("cloud");
    expect(turn.error).toBeDefined();
    expect(turn.routing?.fallback).toBeUndefined();
  });

  it("moves a stream that breaks after its headers, before its first event, to the next backend", async () => {
    // The cloud's 200 began, then its connection closed before the first event: nothing has reached the
    // client, so the local engine answers instead.
    cloudAnswer = () => ({ status: 200, sse: "text-stream", cutAfterBytes: 0 });
    const { response, text, turn } = await send(2, {
      "x-claude-code-session-id": "cut-before-first-event",
      "x-switchyard-route": "cloud",
    });
    expect(response.status).toBe(200);
    const check = checkAnthropicStream(text);
    expect(check.violations).toEqual([]);
    expect(check.error).toBeUndefined();
    expect(text.match(/event: message_start/g)).toHaveLength(1);
    expect(turn.backend).toBe("local");
    expect(turn.routing?.fallback).toEqual([expect.objectContaining({ backend: "cloud" })]);
  });

  it("fails over to the cloud when the local engine is killed mid-session, invisibly to the client", async () => {
    for (const index of [0, 1, 2]) {
      const { response, turn } = await send(index);
      expect(response.status).toBe(200);
      expect(turn.backend, JSON.stringify(turn.routing)).toBe("local");
    }
    const pid = engine.pid as number;
    process.kill(pid, "SIGKILL");
    for (let polls = 0; polls < 200 && processAlive(pid); polls++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(processAlive(pid)).toBe(false);
    const cloudCalls = cloud.requests.length;

    const { response, text, turn } = await send(3);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const check = checkAnthropicStream(text);
    expect(check.violations).toEqual([]);
    expect(check.message?.stop_reason).toBe("end_turn");
    expect(turn.backend).toBe("cloud");
    expect(turn.routing?.mode).toBe("auto");
    expect(turn.routing?.fallback).toEqual([
      expect.objectContaining({ backend: "local", code: "backend_unreachable" }),
    ]);
    expect(cloud.requests.length).toBe(cloudCalls + 1);

    // The next request of the session is answered by the cloud too, passing over the cooling local engine
    // (or, on a slow machine where the cooldown already ran out, after trying it again).
    const next = await send(4);
    expect(next.response.status).toBe(200);
    expect(checkAnthropicStream(next.text).violations).toEqual([]);
    expect(next.turn.backend).toBe("cloud");
    const passedOver = [...(next.turn.routing?.skipped ?? []), ...(next.turn.routing?.fallback ?? [])];
    expect(passedOver.map((entry) => entry.backend)).toEqual(["local"]);
  }, 600_000);
});
