import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { type AnthropicProtocolServer, startAnthropicProtocolServer } from "./support/anthropic-protocol-server.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const CLOUD_MODEL = "claude-sonnet-4-5-20250929";

interface Block {
  type: string;
  id?: string;
  name?: string;
  input?: unknown;
  text?: string;
  thinking?: string;
  signature?: string;
}
type Message = { role: "user" | "assistant"; content: string | Array<Record<string, unknown>> };

const tools = [
  {
    name: "Bash",
    description: "Run a shell command",
    input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
  },
];

/**
 * A session whose model thinks locally (the test model on the real llama-server, Qwen3.5 template: its
 * reasoning comes back as thinking blocks signed `switchyard-local-…`) moves to a cloud that checks what
 * the real API checks (the strict loopback Anthropic server: signatures it issued, a final tool_use turn
 * starting with thinking while thinking is on, tool ids), and back. Every request must answer 200.
 */
describe("a session that thought locally escalates to a strict Anthropic cloud and returns", () => {
  let cloud: AnthropicProtocolServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  /** The documented stream the cloud answers with next (test/fixtures/anthropic). */
  let cloudAnswer = "text-stream";
  beforeAll(async () => {
    cloud = await startAnthropicProtocolServer({
      script: (request) =>
        request.path.startsWith("/v1/messages/count_tokens")
          ? { status: 200, json: { input_tokens: 14 } }
          : { status: 200, sse: cloudAnswer },
    });
    gateway = await startTestGateway({
      backends: [{ name: "cloud", type: "anthropic", url: cloud.url, apiKey: "sk-ant-test", models: [CLOUD_MODEL] }],
      routing: { escalation: { toolErrors: 2 } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  /** One turn of session `session`; returns the answer's blocks and the turn's record. */
  async function turn(session: string, messages: Message[]): Promise<{ blocks: Block[]; record: TurnRecord }> {
    const before = gateway.recorder.recent(100_000).length;
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-claude-code-session-id": session },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 2048,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools,
        messages,
      }),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const blocks = (JSON.parse(text) as { content: Block[] }).content;
    const record = (await waitForTurns(gateway.recorder, before + 1)).at(-1) as TurnRecord;
    return { blocks, record };
  }

  /** The cloud's requests so far, as it received them. */
  const cloudBodies = () =>
    cloud.requests
      .filter((request) => request.path.startsWith("/v1/messages") && !request.path.includes("count_tokens"))
      .map((request) => request.body as { thinking?: unknown; messages: Array<{ content: unknown }> });
  const signaturesSent = (body: { messages: Array<{ content: unknown }> }) =>
    body.messages.flatMap((message) =>
      Array.isArray(message.content)
        ? (message.content as Block[]).filter((block) => block.type === "thinking").map((block) => block.signature)
        : [],
    );

  /** What a client sends back of an answer: its blocks as they came (a tool call when it made one). */
  const echo = (blocks: Block[]): Array<Record<string, unknown>> =>
    blocks.map((block) => ({ ...block }) as Record<string, unknown>);

  it("escalates mid tool loop after local thinking, goes on in the cloud, and comes back local", async () => {
    const session = "xmodel-tool-loop";
    const messages: Message[] = [{ role: "user", content: "List the files here, then count them." }];

    // Two local turns of a failing tool loop. The test model's random weights think but cannot be relied on
    // to call a tool, so the client's tool call is added after what the model said, as Claude Code keeps it.
    for (const [index, id] of ["call_local_1", "call_local_2"].entries()) {
      const local = await turn(session, messages);
      expect(local.record.backend, `local turn ${index + 1}`).toBe("local");
      const thinking = local.blocks.filter((block) => block.type === "thinking");
      expect(thinking.length, "the local model thought").toBeGreaterThan(0);
      for (const block of thinking) expect(block.signature).toMatch(/^switchyard-local-/);
      messages.push(
        {
          role: "assistant",
          content: [...echo(local.blocks), { type: "tool_use", id, name: "Bash", input: { command: "ls" } }],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: id, content: "ls: permission denied", is_error: true }],
        },
      );
    }

    // Two failed tool results in a row: the session escalates with the local tool loop open.
    cloudAnswer = "tool-use-stream";
    const escalated = await turn(session, messages);
    expect(escalated.record).toMatchObject({ backend: "cloud", routing: { rule: "tool-errors", mode: "cloud" } });
    expect(escalated.record.routing?.history).toMatchObject({ droppedThinking: 2, thinkingOff: expect.any(String) });
    expect(gateway.log.some((line) => line.includes("history(-2thinking,thinking-off)"))).toBe(true);
    const [first] = cloudBodies();
    expect(first, "the cloud got the escalated turn").toBeDefined();
    expect(signaturesSent(first as NonNullable<typeof first>)).toEqual([]);
    expect(first?.thinking, "thinking off: the open tool loop's last turn holds no Claude thinking").toBeUndefined();

    // The cloud goes on with the tool loop it was handed (its own tool call, then the result).
    const cloudCall = escalated.blocks.find((block) => block.type === "tool_use");
    expect(cloudCall?.id).toBeDefined();
    messages.push(
      { role: "assistant", content: echo(escalated.blocks) },
      { role: "user", content: [{ type: "tool_result", tool_use_id: cloudCall?.id, content: "San Francisco: 15°C" }] },
    );
    cloudAnswer = "text-stream";
    const loopEnd = await turn(session, messages);
    expect(loopEnd.record).toMatchObject({ backend: "cloud", routing: { mode: "cloud", sticky: true } });
    messages.push({ role: "assistant", content: echo(loopEnd.blocks) });

    // A plain turn in the cloud: the loop is over, so thinking stays on, and Claude thinks (signed by the cloud).
    cloudAnswer = "thinking-stream";
    messages.push({ role: "user", content: "Now multiply 27 by 453." });
    const plain = await turn(session, messages);
    expect(plain.record.backend).toBe("cloud");
    expect(cloudBodies().at(-1)?.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    const cloudThinking = plain.blocks.find((block) => block.type === "thinking");
    expect(cloudThinking?.signature).not.toMatch(/^switchyard-local-/);
    messages.push({ role: "assistant", content: echo(plain.blocks) });

    // Claude's own signed thinking goes back to the cloud untouched, and the cloud takes it.
    cloudAnswer = "text-stream";
    messages.push({ role: "user", content: "Thanks. And 27 by 454?" });
    await turn(session, messages);
    expect(signaturesSent(cloudBodies().at(-1) as NonNullable<ReturnType<typeof cloudBodies>[number]>)).toEqual([
      cloudThinking?.signature,
    ]);
    messages.push({ role: "assistant", content: [{ type: "text", text: "12,258" }] });

    // Back to local, with Claude's thinking in the history: the local model gets it as reasoning text.
    const cloudRequests = cloudBodies().length;
    messages.push({ role: "user", content: "/local\nCarry on here." });
    const back = await turn(session, messages);
    expect(back.record).toMatchObject({ backend: "local", routing: { rule: "marker", mode: "local" } });
    expect(cloudBodies().length).toBe(cloudRequests);
  }, 600_000);

  it("escalates a plain turn after local thinking with /cloud, keeping thinking on, and returns with /local", async () => {
    const session = "xmodel-plain";
    const messages: Message[] = [{ role: "user", content: "Say hello." }];
    const local = await turn(session, messages);
    expect(local.record.backend).toBe("local");
    expect(local.blocks.some((block) => block.signature?.startsWith("switchyard-local-"))).toBe(true);
    messages.push({ role: "assistant", content: echo(local.blocks) });

    cloudAnswer = "thinking-stream";
    messages.push({ role: "user", content: "/cloud\nNow multiply 27 by 453." });
    const cloudTurn = await turn(session, messages);
    expect(cloudTurn.record).toMatchObject({ backend: "cloud", routing: { rule: "marker", mode: "cloud" } });
    expect(cloudTurn.record.routing?.history?.droppedThinking).toBeGreaterThan(0);
    expect(cloudTurn.record.routing?.history?.thinkingOff).toBeUndefined();
    const sent = cloudBodies().at(-1);
    expect(sent?.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(signaturesSent(sent as NonNullable<typeof sent>)).toEqual([]);
    messages.push({ role: "assistant", content: echo(cloudTurn.blocks) });

    messages.push({ role: "user", content: "/local\nthanks" });
    const back = await turn(session, messages);
    expect(back.record).toMatchObject({ backend: "local", routing: { rule: "marker", mode: "local" } });
  }, 600_000);
});
