import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnthropicProtocolServer, startAnthropicProtocolServer } from "./support/anthropic-protocol-server.js";
import { piFlags, piSandbox, runPi } from "./support/pi.js";
import { startTestGateway } from "./support/test-gateway.js";

describe("pi (the real CLI) through Switchyard's OpenAI door to the local llama-server", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let root: string;
  beforeAll(async () => {
    gateway = await startTestGateway();
    root = piSandbox(gateway.url, [
      {
        id: "local",
        name: "Local via Switchyard",
        reasoning: true,
        input: ["text"],
        contextWindow: 65536,
        maxTokens: 2048,
      },
    ]);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("answers a --print prompt, then a second prompt in the same session reuses the first one's prompt", async () => {
    const flags = piFlags("switchyard/local", join(root, "sessions", "session.jsonl"));
    const first = await runPi([...flags, "say hi"], root);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout.trim().length).toBeGreaterThan(0);
    const second = await runPi([...flags, "and once more"], root);
    expect(second.code).toBe(0);
    const turns = gateway.recorder.recent().filter((turn) => turn.endpoint === "chat_completions");
    expect(turns).toHaveLength(2);
    expect(turns.every((turn) => turn.protocol === "openai" && turn.status === 200)).toBe(true);
    expect(turns[1]?.lane).toBe(turns[0]?.lane);
    expect(turns[1]?.expectedReuse).toBe(turns[0]?.promptTokens);
    expect(turns[1]?.reusedTokens).toBeGreaterThanOrEqual((turns[0]?.promptTokens ?? 0) - 4);
    expect(turns[1]?.miss).toBeUndefined();
  });

  it("names its session with pi's own session id when its model asks for session affinity, as the README says", async () => {
    // compat.sendSessionAffinityHeaders: pi sends its session id as x-session-affinity (with session_id and
    // x-client-request-id) on every request; without it, Switchyard falls back to a fingerprint.
    const affine = piSandbox(gateway.url, [
      {
        id: "local",
        reasoning: true,
        input: ["text"],
        contextWindow: 65536,
        maxTokens: 2048,
        compat: { sendSessionAffinityHeaders: true },
      },
    ]);
    const sessionFile = join(affine, "sessions", "session.jsonl");
    const before = gateway.recorder.recent().length;
    for (const prompt of ["say hi", "and once more"]) {
      const run = await runPi([...piFlags("switchyard/local", sessionFile), prompt], affine);
      expect(run.code).toBe(0);
    }
    const header = JSON.parse(readFileSync(sessionFile, "utf8").split("\n")[0] ?? "") as { type: string; id: string };
    expect(header.type).toBe("session");
    const turns = gateway.recorder
      .recent()
      .slice(before)
      .filter((turn) => turn.endpoint === "chat_completions");
    expect(turns.map((turn) => turn.sessionId)).toEqual([header.id, header.id]);
    expect(turns[1]?.reusedTokens).toBeGreaterThanOrEqual((turns[0]?.promptTokens ?? 0) - 4);
  });
});

describe("pi through the OpenAI door to an Anthropic-protocol backend (loopback, documented events)", () => {
  let cloud: AnthropicProtocolServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let root: string;
  beforeAll(async () => {
    cloud = await startAnthropicProtocolServer({ script: () => ({ status: 200, sse: "text-stream" }) });
    gateway = await startTestGateway({
      backends: [
        { name: "cloud", type: "anthropic", url: cloud.url, apiKey: "sk-ant-test", models: ["claude-sonnet-4-5"] },
      ],
      models: { "cloud-sonnet": "cloud/claude-sonnet-4-5" },
    });
    root = piSandbox(gateway.url, [
      { id: "cloud-sonnet", reasoning: true, input: ["text"], contextWindow: 200000, maxTokens: 8192 },
    ]);
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  it("gets the cloud's answer as a valid OpenAI stream, and the cloud gets a valid Anthropic request", async () => {
    const run = await runPi([...piFlags("switchyard/cloud-sonnet", join(root, "sessions", "s.jsonl")), "say hi"], root);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Hello");
    const sent = cloud.requests.find((request) => request.path.startsWith("/v1/messages"));
    const body = sent?.body as {
      model: string;
      system: Array<{ type: string; text: string }>;
      messages: Array<{ role: string }>;
      tools: Array<{ name: string; input_schema: unknown }>;
      thinking?: { type: string; budget_tokens: number };
      max_tokens: number;
    };
    expect(body.model).toBe("claude-sonnet-4-5");
    expect(body.system[0]?.text.length).toBeGreaterThan(100);
    expect(body.messages.map((message) => message.role)).toEqual(["user"]);
    expect(body.tools.every((tool) => tool.name && tool.input_schema)).toBe(true);
    expect(body.thinking?.budget_tokens).toBeLessThan(body.max_tokens);
    expect(gateway.recorder.recent().at(-1)?.backend).toBe("cloud");
  });
});
