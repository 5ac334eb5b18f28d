import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { freePort } from "../src/util/free-port.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * llama-server with `--sleep-idle-seconds`: idle that long, it unloads its model and KV cache (README
 * "Sleeping on Idle"), and the next task loads them again. Its /props says `is_sleeping`, and reading it
 * does not wake it. A lane's next turn then prefills everything again (seen: 1,489 tokens reused before
 * the sleep, 0 after); the miss must say the server slept, not blame the prompt.
 */
describe("a llama-server that sleeps when idle", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-sleep-"));
  let server: UserLlamaServer | undefined;
  let gateway: RunningSwitchyard | undefined;

  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function turn(texts: string[]): Promise<TurnRecord> {
    const running = gateway as RunningSwitchyard;
    const response = await fetch(`${running.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-claude-code-session-id": "sleepy" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 8,
        messages: texts.map((text, index) => ({ role: index % 2 ? "assistant" : "user", content: text })),
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    await response.text();
    const record = running.recorder.recent(1)[0];
    if (!record) throw new Error("no turn record");
    return record;
  }

  const asleep = async () =>
    ((await (await fetch(`${server?.url}/props`)).json()) as { is_sleeping?: boolean }).is_sleeping === true;

  it("explains the lane's next miss by the sleep the health check saw", async () => {
    server = await startUserLlamaServer(await freePort(), [
      "--jinja",
      "--ctx-size",
      "8192",
      "--parallel",
      "2",
      "--sleep-idle-seconds",
      "2",
    ]);
    gateway = await startSwitchyard({
      config: configSchema.parse({ telemetry: { turnsFile: join(scratch, "turns.jsonl") }, store: { path: null } }),
      host: "127.0.0.1",
      port: 0,
      backendUrls: [server.url],
      probeLocal: false,
      say: () => {},
    });
    const first = Array.from({ length: 80 }, (_, index) => `line ${index} of what the agent read`).join("\n");
    await turn([first]);
    // Warm: the next turn reuses the first.
    expect((await turn([first, "noted", "go on"])).miss).toBeUndefined();

    for (let attempt = 0; attempt < 100 && !(await asleep()); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await asleep()).toBe(true);
    // What the health check runs every 30 s.
    await ((gateway as RunningSwitchyard).backends[0] as LlamaServerBackend).checkServer();

    const woke = await turn([first, "noted", "go on", "done", "and now?"]);
    expect(woke.reusedTokens).toBe(0);
    expect(woke.miss?.reason).toBe("cache-emptied");
    expect(woke.miss?.explanation).toContain("slept (--sleep-idle-seconds) since this lane's last turn");
    // Awake again: the turn after is judged as usual.
    expect((await turn([first, "noted", "go on", "done", "and now?", "fine", "last"])).miss).toBeUndefined();
  }, 120_000);
});
