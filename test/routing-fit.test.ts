import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { type AnthropicProtocolServer, startAnthropicProtocolServer } from "./support/anthropic-protocol-server.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

/** A request larger than the local engine's context goes to a backend whose context holds it. */
describe("fit", () => {
  let cloud: AnthropicProtocolServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    cloud = await startAnthropicProtocolServer({ script: () => ({ status: 200, sse: "text-stream" }) });
    gateway = await startTestGateway({
      engine: { slots: 2, contextSize: 4096, cacheRamMiB: 0 },
      backends: [
        {
          name: "cloud",
          type: "anthropic",
          url: cloud.url,
          apiKey: "sk-ant-test",
          models: ["claude-sonnet-4-5-20250929"],
        },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  const ask = async (content: string) => {
    const before = gateway.recorder.recent(100_000).length;
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": "fit-session" },
      body: JSON.stringify({ model: "sonnet", max_tokens: 64, stream: true, messages: [{ role: "user", content }] }),
    });
    expect(response.status).toBe(200);
    expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
    return (await waitForTurns(gateway.recorder, before + 1)).at(-1) as TurnRecord;
  };

  it("keeps a small request local without counting, and sends one over the window where it fits, saying why", async () => {
    const small = await ask("hello there");
    expect(small.backend).toBe("local");
    expect(small.routing?.fit).toBeUndefined();

    const words = Array.from({ length: 6000 }, (_, index) => `w${index}`).join(" ");
    const large = await ask(words);
    expect(large.backend).toBe("cloud");
    expect(large.routing?.rule).toBe("fit");
    // llama-server counted it exactly: over its 4096-token window.
    expect(large.routing?.fit).toMatchObject({ backend: "local", exact: true, context: 4096 });
    expect(large.routing?.fit?.tokens).toBeGreaterThan(4096);
    expect(large.routing?.reason).toMatch(/do not fit local's 4096-token context; cloud holds 200000/);
    const sent = cloud.requests.at(-1)?.body as { model?: string };
    expect(sent.model).toBe("claude-sonnet-4-5-20250929");
  }, 600_000);
});
