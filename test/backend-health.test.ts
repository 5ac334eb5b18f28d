import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import type { OpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { waitForTurns } from "./support/turn-records.js";
import { startVllmProtocolServer, VLLM_MODEL, VLLM_MODELS_LIST } from "./support/vllm-protocol-server.js";

/**
 * Backend health through the gateway: a llama-server that does not answer (a free port) and a loopback
 * vLLM. The dead one is marked down with its reason; requests go to vLLM instead; /health and
 * /v1/switchyard/info say so.
 */
describe("backend health and discovery", () => {
  let vllm: OpenAIProtocolServer;
  let running: RunningSwitchyard;
  beforeAll(async () => {
    vllm = await startVllmProtocolServer({
      script: (request) =>
        request.path === "/v1/models"
          ? { status: 200, json: VLLM_MODELS_LIST }
          : { status: 200, sse: "reasoning-stream" },
    });
    const deadPort = await freePort();
    running = await startSwitchyard({
      config: configSchema.parse({
        backends: [
          { name: "dead", type: "llama-server", url: `http://127.0.0.1:${deadPort}` },
          { name: "vllm", type: "vllm", url: vllm.url },
        ],
        telemetry: { turnsFile: join(mkdtempSync(join(tmpdir(), "switchyard-turns-")), "turns.jsonl") },
      }),
      port: 0,
      probeLocal: false,
    });
    await running.health.check("dead");
  });
  afterAll(async () => {
    await running?.close();
    await vllm?.close();
  });

  it("lists the models each backend serves", async () => {
    const models = (await (await fetch(`${running.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toContain(VLLM_MODEL);
  });

  it("marks the dead backend down, with why and since when, in /health and /v1/switchyard/info", async () => {
    const health = (await (await fetch(`${running.url}/health`)).json()) as {
      status: string;
      backends: Array<{ name: string; up: boolean; since: string; lastError?: string }>;
    };
    expect(health.status).toBe("ok");
    const dead = health.backends.find((backend) => backend.name === "dead");
    expect(dead?.up).toBe(false);
    expect(dead?.lastError).toMatch(/dead is unreachable at http:\/\/127\.0\.0\.1:\d+/);
    expect(Number.isNaN(Date.parse(dead?.since ?? ""))).toBe(false);
    expect(health.backends.find((backend) => backend.name === "vllm")?.up).toBe(true);

    const info = (await (await fetch(`${running.url}/v1/switchyard/info`)).json()) as {
      backends: Array<{ name: string; kind: string; contextWindow?: number; health: { up: boolean } }>;
    };
    expect(info.backends.map((backend) => [backend.name, backend.kind, backend.health.up])).toEqual([
      ["dead", "llama-server", false],
      ["vllm", "vllm", true],
    ]);
    // vLLM lists max_model_len with its model.
    expect(info.backends[1]?.contextWindow).toBe(32768);
  });

  it("routes a default request around the backend that is down", async () => {
    const response = await fetch(`${running.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { content: Array<{ type: string; text?: string }> };
    expect(body.content.find((block) => block.type === "text")?.text).toBe("Hello! How can I help?");
    await running.recorder.flush();
    const turn = (await waitForTurns(running.recorder, 1)).at(-1);
    expect(turn?.backend).toBe("vllm");
    expect(turn?.routeReason).toMatch(/dead down$/);
    // vLLM without --enable-prompt-tokens-details: reuse is unknown, not 0.
    expect(turn?.reusedTokens).toBeUndefined();
    expect(turn?.promptTokens).toBe(18);
  });

  it("on a vLLM that does not report reuse, records reuse as unknown and never claims a cache miss", async () => {
    const ask = (content: string) =>
      fetch(`${running.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-session-id": "unknown-reuse" },
        body: JSON.stringify({ model: VLLM_MODEL, messages: [{ role: "user", content }] }),
      }).then((response) => response.json());
    await ask("first");
    await ask("first");
    for (
      let polls = 0;
      polls < 100 && running.recorder.recent().filter((t) => t.sessionId === "unknown-reuse").length < 2;
      polls++
    )
      await new Promise((resolve) => setImmediate(resolve));
    const turns = running.recorder.recent().filter((turn) => turn.sessionId === "unknown-reuse");
    expect(turns).toHaveLength(2);
    const second = turns[1];
    expect(second?.backend).toBe("vllm");
    expect(second?.expectedReuse).toBe(18);
    expect(second?.reusedTokens).toBeUndefined();
    expect(second?.prefilledTokens).toBe(18);
    expect(second?.miss).toBeUndefined();
  });
});
