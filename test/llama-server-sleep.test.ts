import { afterAll, describe, expect, it } from "vitest";
import type { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { gatewayInFront, messagesTurn } from "./support/gateway-in-front.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * llama-server with `--sleep-idle-seconds`: idle that long, it unloads its model and KV cache (README
 * "Sleeping on Idle"), and the next task loads them again. Its /props says `is_sleeping`, and reading it
 * does not wake it. A lane's next turn then prefills everything again (seen: 1,489 tokens reused before
 * the sleep, 0 after); the miss must say the server slept, not blame the prompt.
 */
describe("a llama-server that sleeps when idle", () => {
  let server: UserLlamaServer | undefined;
  let gateway: RunningSwitchyard | undefined;

  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
  });

  const turn = (texts: string[]) => messagesTurn(gateway as RunningSwitchyard, "sleepy", texts);

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
    gateway = await gatewayInFront([server.url]);
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
