import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import type { OpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { piFlags, piSandbox, runPi } from "./support/pi.js";
import { startVllmProtocolServer, VLLM_MODELS_LIST } from "./support/vllm-protocol-server.js";

type ChatBody = { messages?: Array<{ role: string; content: unknown }>; tools?: unknown[] };

/** The answer of `reasoning-stream.sse`, the loopback vLLM's text answer. */
const ANSWER = "Hello! How can I help?";

/**
 * The real Claude Code and pi CLIs through Switchyard to a vLLM started without a tool parser (the loopback
 * vLLM, which refuses tools as vLLM does). Its scripted model asks for the client's shell tool in text when
 * it is told its tools (`tools-as-text-stream.sse`, `…-bash-stream.sse`: what it is asked to write, not
 * recordings), and answers once the tool's output is back. Each client runs the command, and its session
 * ends with the answer: the tool loop holds on a server that would have refused every one of its requests.
 */
describe("Claude Code and pi on a vLLM without a tool parser", () => {
  let vllm: OpenAIProtocolServer;
  let gateway: RunningSwitchyard;
  const sandbox = claudeSandbox();

  beforeAll(async () => {
    vllm = await startVllmProtocolServer({
      toolParser: false,
      script: (request) => {
        if (request.path === "/v1/models") return { status: 200, json: VLLM_MODELS_LIST };
        const messages = (request.body as ChatBody | undefined)?.messages ?? [];
        const told = String(messages[0]?.content).includes("You can call the tools below.");
        const answered = String(messages.at(-1)?.content).includes("```tool_output\n");
        if (!told || answered) return { status: 200, sse: "reasoning-stream" };
        // pi's shell tool is `bash`, Claude Code's `Bash`: the model calls the one it was told of.
        const pi = String(messages[0]?.content).includes('{"name":"bash"');
        return { status: 200, sse: pi ? "tools-as-text-bash-stream" : "tools-as-text-stream" };
      },
    });
    gateway = await startGatewayFor([{ name: "vllm", type: "vllm", url: vllm.url }]);
    mkdirSync(sandbox.home, { recursive: true });
  });
  afterAll(async () => {
    await gateway?.close();
    await vllm?.close();
  });

  const chats = () => vllm.requests.filter((request) => request.path === "/v1/chat/completions");

  it("runs a tool loop: Claude Code runs the model's Bash call and gets its answer", async () => {
    const run = await runClaude(["-p", "List the files here.", "--output-format", "json", "--allowedTools", "Bash"], {
      baseUrl: gateway.url,
      home: sandbox.home,
      cwd: sandbox.workdir,
      timeoutMs: 180_000,
    });
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    const result = JSON.parse(run.stdout) as { is_error: boolean; result: string; num_turns: number };
    expect(result.is_error, run.stdout).toBe(false);
    expect(result.result).toBe(ANSWER);
    expect(result.num_turns).toBeGreaterThanOrEqual(2);

    // vLLM refused the first request with tools; every one after went without them.
    expect(chats().filter((request) => (request.body as ChatBody).tools?.length)).toHaveLength(1);
    // The command ran here and its output went back to the model as a tool_output block.
    const last = chats().at(-1)?.body as ChatBody;
    const lastUser = last.messages?.filter((message) => message.role === "user").at(-1);
    expect(String(lastUser?.content)).toMatch(/```tool_output\n[\s\S]*total \d+/);
    const turns = gateway.recorder.recent(1000).filter((turn) => turn.endpoint === "messages");
    expect(turns.filter((turn) => turn.status !== 200)).toEqual([]);
    expect(turns.some((turn) => turn.stopReason?.unified === "tool_use")).toBe(true);
  }, 300_000);
  it("runs pi's tool loop on it too: pi runs the model's bash call, its turns go as text", async () => {
    const before = chats().length;
    const root = piSandbox(gateway.url, [
      { id: "local", reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 2048 },
    ]);
    const run = await runPi(
      [...piFlags("switchyard/local", join(root, "sessions", "s.jsonl")), "List the files."],
      root,
      180_000,
    );
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout.trim()).toBe(ANSWER);
    // Two turns, both as text (a third, refused, request comes first when this test runs alone).
    const asText = chats()
      .slice(before)
      .map((request) => request.body as ChatBody)
      .filter((body) => body.tools === undefined);
    expect(asText).toHaveLength(2);
    const lastUser = asText[1]?.messages?.filter((message) => message.role === "user").at(-1);
    expect(String(lastUser?.content)).toMatch(/```tool_output\n[\s\S]*total \d+/);
  }, 300_000);
});
