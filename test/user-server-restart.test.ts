import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { freePort } from "../src/util/free-port.js";

/**
 * A llama-server the user started, restarted on the same port as something else while Switchyard runs
 * in front of it: another context size, slot count and chat template (llama.cpp's GLM-4.7-Flash one), as
 * a user does who tries other settings or another model. Switchyard probed the first server; what it
 * learned (template, slots, context) must not be used on the second.
 */
describe("a user-started llama-server restarted as something else", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-restart-"));
  let server: ChildProcess | undefined;
  let gateway: RunningSwitchyard | undefined;
  const said: string[] = [];

  afterAll(async () => {
    await gateway?.close();
    await stopServer();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function startServer(port: number, args: string[]): Promise<void> {
    const child = spawn(
      inject("llamaServer"),
      ["-m", inject("testModel"), "--host", "127.0.0.1", "--port", String(port), "--jinja", "--no-webui", ...args],
      { stdio: "ignore" },
    );
    server = child;
    for (let attempt = 0; attempt < 600; attempt++) {
      if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}`);
      const healthy = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) })
        .then((response) => response.status === 200)
        .catch(() => false);
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("llama-server did not become healthy within 60 s");
  }

  async function stopServer(): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async function turn(session: string, texts: string[]): Promise<TurnRecord> {
    const running = gateway as RunningSwitchyard;
    const response = await fetch(`${running.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-claude-code-session-id": session },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 8,
        tools: [{ name: "bash", description: "Runs a command", input_schema: { type: "object", properties: {} } }],
        messages: texts.map((text, index) => ({ role: index % 2 ? "assistant" : "user", content: text })),
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    await response.text();
    const record = running.recorder.recent(1)[0];
    if (!record) throw new Error("no turn record");
    return record;
  }

  const contextWindow = async () =>
    (
      (await (await fetch(`${(gateway as RunningSwitchyard).url}/v1/switchyard/info`)).json()) as {
        contextWindow: number;
      }
    ).contextWindow;

  it("probes the new server before the next turn, and explains the lost cache by the restart", async () => {
    const port = await freePort();
    await startServer(port, ["--ctx-size", "8192", "--parallel", "4"]);
    gateway = await startSwitchyard({
      config: configSchema.parse({ telemetry: { turnsFile: join(scratch, "turns.jsonl") }, store: { path: null } }),
      host: "127.0.0.1",
      port: 0,
      backendUrls: [`http://127.0.0.1:${port}`],
      probeLocal: false,
      say: (line) => said.push(line),
    });
    expect((await turn("a", ["hello from a"])).slot).toBe(0);
    expect((await turn("b", ["hello from b"])).slot).toBe(1);
    expect(await contextWindow()).toBe(2048);

    await stopServer();
    const template = join(inject("llamaSource"), "models", "templates", "GLM-4.7-Flash.jinja");
    await startServer(port, ["--ctx-size", "4096", "--parallel", "1", "--chat-template-file", template]);

    const first = await turn("a", ["hello from a", "ok", "again"]);
    expect(said).toContain(
      "backend1's server changed (slots 4 → 1, context 2048 → 4096 tokens, another chat template); probing it again",
    );
    // Pinned to the one slot there is (the old probe would have pinned lane b to a slot 1 that llama-server
    // wraps around to 0 without a word), and the miss told as what it is.
    expect(first.slot).toBe(0);
    expect(first.miss?.reason).toBe("backend-changed");
    expect(first.miss?.explanation).toContain("the server behind backend1 was started again as");
    const second = await turn("b", ["hello from b", "ok", "again"]);
    expect(second.slot).toBe(0);
    expect(second.miss?.reason).toBe("backend-changed");
    expect(await contextWindow()).toBe(4096);
    // Said once.
    expect(said.filter((line) => line.includes("server changed"))).toHaveLength(1);
  });
});
