import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { gatewayInFront, messagesTurn } from "./support/gateway-in-front.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * A llama-server the user started, restarted on the same port as something else while Switchyard runs
 * in front of it: another context size, slot count and chat template (llama.cpp's GLM-4.7-Flash one), as
 * a user does who tries other settings or another model. Switchyard probed the first server; what it
 * learned (template, slots, context) must not be used on the second.
 */
describe("a user-started llama-server restarted as something else", () => {
  let server: UserLlamaServer | undefined;
  let gateway: RunningSwitchyard | undefined;
  const said: string[] = [];

  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
  });

  const bash = { name: "bash", description: "Runs a command", input_schema: { type: "object", properties: {} } };
  const turn = (session: string, texts: string[]) =>
    messagesTurn(gateway as RunningSwitchyard, session, texts, { tools: [bash] });

  const glmArgs = () => [
    "--jinja",
    "--ctx-size",
    "4096",
    "--parallel",
    "1",
    "--chat-template-file",
    join(inject("llamaSource"), "models", "templates", "GLM-4.7-Flash.jinja"),
  ];

  const contextWindow = async () =>
    (
      (await (await fetch(`${(gateway as RunningSwitchyard).url}/v1/switchyard/info`)).json()) as {
        contextWindow: number;
      }
    ).contextWindow;

  it("probes the new server before the next turn, and explains the lost cache by the restart", async () => {
    const port = await freePort();
    server = await startUserLlamaServer(port, ["--jinja", "--ctx-size", "8192", "--parallel", "4"]);
    gateway = await gatewayInFront([server.url], (line) => said.push(line));
    expect((await turn("a", ["hello from a"])).slot).toBe(0);
    expect((await turn("b", ["hello from b"])).slot).toBe(1);
    expect(await contextWindow()).toBe(2048);

    await server.stop();
    server = await startUserLlamaServer(port, glmArgs());

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

  it("tells a restart as the same thing (same model and flags) by its task numbers starting again", async () => {
    const long = Array.from({ length: 60 }, (_, index) => `line ${index} the agent read`).join("\n");
    await turn("c", [long]);
    expect((await turn("c", [long, "ok", "go on"])).miss).toBeUndefined();
    const { url } = server as UserLlamaServer;
    await server?.stop();
    server = await startUserLlamaServer(Number(new URL(url).port), glmArgs());

    const after = await turn("c", [long, "ok", "go on", "done", "next"]);
    expect(after.reusedTokens).toBe(0);
    expect(after.miss?.reason).toBe("cache-emptied");
    expect(after.miss?.explanation).toContain("was started again (same model and flags) since this lane's last turn");
    // Nothing changed that a probe depends on: not said as a change.
    expect(said.filter((line) => line.includes("server changed"))).toHaveLength(1);
    expect((await turn("c", [long, "ok", "go on", "done", "next", "ok", "last"])).miss).toBeUndefined();
  });
});
