import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { startTestGateway } from "./support/test-gateway.js";

/** Against Anthropic's real API; runs only when ANTHROPIC_API_KEY is set (never in CI). */
describe.skipIf(!process.env.ANTHROPIC_API_KEY)("live Anthropic API through Switchyard", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway({
      backends: [
        { name: "anthropic", type: "anthropic", url: "https://api.anthropic.com", models: ["claude-haiku-4-5"] },
      ],
      models: { "claude-haiku*": "anthropic/claude-haiku-4-5" },
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("streams a valid answer and counts tokens", async () => {
    const body = { model: "claude-haiku-4-5", max_tokens: 32, messages: [{ role: "user", content: "Say hi." }] };
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
    });
    expect(response.status).toBe(200);
    expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
    const counted = await fetch(`${gateway.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(((await counted.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
  });
});
