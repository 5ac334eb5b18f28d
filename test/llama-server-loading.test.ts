import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { forwardRequest } from "./support/forward-request.js";
import { gatewayInFront, messagesTurn } from "./support/gateway-in-front.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * Switchyard started while llama-server still loads its model (a large model takes a minute): until it
 * is ready, llama-server answers every path 503 `{"error": {"message": "Loading model", "type":
 * "unavailable_error", "code": 503}}` (server-http.cpp, middleware_server_state; seen on the real engine
 * for the first ~0.2 s with the test model). `serve --backend URL` then said "nothing there answered as
 * llama-server" and exited. The gate in front of the real engine answers that 503 until it is opened,
 * then passes everything through: a load that lasts as long as the test needs.
 */
describe("a llama-server still loading its model when Switchyard starts", () => {
  let server: UserLlamaServer | undefined;
  let gate: Server | undefined;
  let gateway: RunningSwitchyard | undefined;
  let loading = true;

  afterAll(async () => {
    await gateway?.close();
    gate?.closeAllConnections();
    await new Promise((resolve) => (gate ? gate.close(resolve) : resolve(undefined)));
    await server?.stop();
  });

  it("is recognised, down while it loads, and served once it is up", async () => {
    server = await startUserLlamaServer(await freePort(), ["--jinja", "--parallel", "2"]);
    const target = new URL(server.url);
    gate = createServer((request, response) => {
      if (loading) {
        response.writeHead(503, { "content-type": "application/json; charset=utf-8" });
        response.end(JSON.stringify({ error: { message: "Loading model", type: "unavailable_error", code: 503 } }));
        return;
      }
      forwardRequest(request, response, { host: target.hostname, port: target.port, path: request.url });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => gate?.listen(port, "127.0.0.1", resolve));

    const said: string[] = [];
    gateway = await gatewayInFront([`http://127.0.0.1:${port}`], (line) => said.push(line));
    expect(gateway.backends.map((backend) => backend.kind)).toEqual(["llama-server"]);
    expect(await gateway.health.check("backend1")).toMatchObject({
      up: false,
      lastError: expect.stringContaining("Loading model"),
    });
    const early = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(early.status).toBeGreaterThanOrEqual(500);
    expect(await early.text()).toContain("Loading model");

    loading = false;
    expect(await gateway.health.check("backend1")).toMatchObject({ up: true });
    expect(said).toContain("backend backend1 is up again");
    // Its model, listed once it is up.
    for (let attempt = 0; attempt < 100 && gateway.router.modelNames().length === 0; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.router.modelNames()).toEqual([expect.stringContaining("switchyard-test-tiny-qwen3.5")]);
    expect((await messagesTurn(gateway, "after-loading", ["hello"])).status).toBe(200);
  }, 120_000);
});
