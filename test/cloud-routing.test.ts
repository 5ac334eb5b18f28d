import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnthropicProtocolServer, startAnthropicProtocolServer } from "./support/anthropic-protocol-server.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

/**
 * Anthropic's cloud as a backend, reached through an alias. The cloud is a loopback server replaying
 * Anthropic's documented event sequences (test/fixtures/anthropic/README.md); the local backend is the
 * real llama-server.
 */
describe("routing by model name between the local engine and the Anthropic cloud", () => {
  let cloud: AnthropicProtocolServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    cloud = await startAnthropicProtocolServer({
      script: (request) =>
        request.path.startsWith("/v1/models")
          ? { status: 200, json: { data: [{ type: "model", id: "claude-opus-4-5-20251101" }], has_more: false } }
          : { status: 200, sse: "text-stream" },
    });
    gateway = await startTestGateway({
      backends: [
        {
          name: "cloud",
          type: "anthropic",
          url: cloud.url,
          apiKey: "sk-ant-test-key",
          models: ["claude-opus-4-5-20251101"],
        },
      ],
      models: { "claude-opus*": "cloud/claude-opus-4-5-20251101", opus: "cloud" },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  const ask = (model: string) =>
    fetch(`${gateway.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-beta": "context-management-2025-06-27" },
      body: JSON.stringify({
        model,
        max_tokens: 100,
        stream: true,
        system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] }],
      }),
    });

  it("sends an aliased Claude name to the cloud, passing the body through with cache_control kept", async () => {
    const response = await ask("claude-opus-4-6");
    expect(response.status).toBe(200);
    const check = checkAnthropicStream(await response.text());
    expect(check.violations).toEqual([]);
    const sent = cloud.requests.find((request) => request.path.startsWith("/v1/messages"));
    expect(sent?.headers["x-api-key"]).toBe("sk-ant-test-key");
    expect(sent?.headers["anthropic-beta"]).toBe("context-management-2025-06-27");
    const body = sent?.body as {
      model: string;
      system: Array<{ cache_control?: unknown }>;
      messages: Array<{ content: Array<{ cache_control?: unknown }> }>;
    };
    expect(body.model).toBe("claude-opus-4-5-20251101");
    expect(body.system[0]?.cache_control).toEqual({ type: "ephemeral" });
    expect(body.messages[0]?.content[0]?.cache_control).toEqual({ type: "ephemeral" });
    expect((await waitForTurns(gateway.recorder, 1)).at(-1)?.backend).toBe("cloud");
  });

  it("keeps other Claude names on the local engine", async () => {
    const before = cloud.requests.length;
    const response = await ask("claude-sonnet-4-5-20250929");
    expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
    expect(cloud.requests.length).toBe(before);
    // Records are written just after the answer ends: wait for this one, not the previous test's.
    expect((await waitForTurns(gateway.recorder, 2)).at(-1)?.backend).toBe("local");
  });

  it("lists what is served and the aliases", async () => {
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    const ids = models.data.map((model) => model.id);
    expect(ids).toContain("claude-opus-4-5-20251101");
    expect(ids).toContain("opus");
    expect(ids.some((id) => id.endsWith(".gguf") || id.includes("switchyard-test"))).toBe(true);
  });
});
