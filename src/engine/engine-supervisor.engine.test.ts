import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { processAlive } from "../../test/support/process-alive.js";
import { type EngineEvent, EngineStartError, EngineSupervisor } from "./engine-supervisor.js";

async function chat(url: string, body: Record<string, unknown>) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ max_tokens: 64, ...body }),
    signal: AbortSignal.timeout(60_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    choices: Array<{ finish_reason: string; message: { content: string; reasoning_content?: string } }>;
    usage: { prompt_tokens: number; completion_tokens: number };
    timings: { cache_n: number; prompt_n: number };
  };
}

describe("EngineSupervisor with the real llama-server and the test model", () => {
  let engine: EngineSupervisor;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: ["--jinja", "--parallel", "2", "--ctx-size", "16384", "--no-webui"],
      restartWindowMs: 60_000,
      maxRestarts: 1,
      onEvent: (event) => events.push(event),
    });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it("serves on loopback and exposes /props", async () => {
    expect(engine.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const props = await engine.props();
    expect(props.total_slots).toBe(2);
    expect(String(props.chat_template)).toContain("<think>");
  });

  it("answers a chat completion in a few dozen tokens and stops", async () => {
    const result = await chat(engine.url, { messages: [{ role: "user", content: "say hi" }] });
    const choice = result.choices[0];
    expect(choice?.finish_reason).toBe("stop");
    expect(choice?.message.content.length).toBeGreaterThan(0);
    expect(choice?.message.reasoning_content?.length).toBeGreaterThan(0);
    expect(result.usage.completion_tokens).toBeLessThan(64);
  });

  it("reuses a shared 2K-token prefix on the second request", async () => {
    const words = Array.from({ length: 2000 }, (_, index) => `word${index % 97}`).join(" ");
    const system = { role: "system", content: `Project notes: ${words}` };
    const first = await chat(engine.url, {
      messages: [system, { role: "user", content: "first question" }],
      id_slot: 0,
    });
    expect(first.usage.prompt_tokens).toBeGreaterThan(2000);
    const second = await chat(engine.url, { messages: [system, { role: "user", content: "another one" }], id_slot: 0 });
    expect(second.timings.cache_n).toBeGreaterThan(2000);
    expect(second.timings.prompt_n).toBeLessThan(20);
  });

  it("restarts the engine when it dies, on the same URL", async () => {
    const firstPid = engine.pid as number;
    process.kill(firstPid, "SIGKILL");
    for (let waited = 0; waited < 100 && !events.some((event) => event.type === "restarting"); waited++) {
      await delay(100);
    }
    await engine.ready();
    expect(engine.pid).not.toBe(firstPid);
    expect(events.map((event) => event.type)).toContain("exited");
    const result = await chat(engine.url, { messages: [{ role: "user", content: "still there?" }] });
    expect(result.choices[0]?.finish_reason).toBe("stop");
  });

  it("stops the engine by PID", async () => {
    const pid = engine.pid as number;
    await engine.stop();
    expect(processAlive(pid)).toBe(false);
  });
});

describe("EngineSupervisor start failures", () => {
  it("reports the tail of the engine's log when the model cannot load", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "switchyard-bad-")), "not-a-model.gguf");
    writeFileSync(bad, "this is not a GGUF file");
    const attempt = EngineSupervisor.start({ binary: inject("llamaServer"), model: bad, readyTimeoutMs: 30_000 });
    await expect(attempt).rejects.toBeInstanceOf(EngineStartError);
    await expect(attempt).rejects.toThrow(/last lines of the llama-server log[\s\S]*not-a-model\.gguf/);
  });
});
