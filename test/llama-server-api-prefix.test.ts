import { afterAll, describe, expect, it } from "vitest";
import { inspectLlamaServer } from "../src/doctor/inspect-llama-server.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { gatewayInFront } from "./support/gateway-in-front.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * A llama-server under a path: started with `--api-prefix /llama` (or behind a reverse proxy at one), it
 * answers only there. `serve --backend http://host:port/llama` failed at start with "invalid url".
 */
describe("a llama-server under a path (--api-prefix)", () => {
  let server: UserLlamaServer | undefined;
  let gateway: RunningSwitchyard | undefined;

  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
  });

  it("is recognised, probed, counted, pinned and inspected there", async () => {
    server = await startUserLlamaServer(await freePort(), ["--jinja", "--parallel", "2"], { apiPrefix: "/llama" });
    expect((await fetch(new URL("/health", server.url))).status).toBe(404);
    gateway = await gatewayInFront([server.url]);
    const post = (path: string, body: unknown) =>
      fetch(`${gateway?.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-claude-code-session-id": "s" },
        body: JSON.stringify(body),
      });
    const messages = [{ role: "user", content: "hello under a path" }];
    const answer = await post("/v1/messages", { model: "sonnet", max_tokens: 8, messages });
    expect(answer.status, await answer.clone().text()).toBe(200);
    await answer.text();
    expect(gateway.recorder.recent(1)[0]?.slot).toBe(0);
    const counted = await post("/v1/messages/count_tokens", { model: "sonnet", messages });
    expect(counted.status).toBe(200);
    expect(counted.headers.get("x-switchyard-token-count")).toBe("exact");

    const findings = await inspectLlamaServer(server.url);
    expect(findings.find((finding) => finding.check === "reachable")?.level).toBe("ok");
    expect(findings.find((finding) => finding.check === "slots")?.detail).toMatch(/^2:/);
  }, 180_000);
});
