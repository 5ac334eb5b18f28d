import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { type HttpFaultProxy, startHttpFaultProxy } from "./support/fault-proxy.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import { piFlags, piSandbox, runPi } from "./support/pi.js";
import { startTestGateway } from "./support/test-gateway.js";
import {
  SCRIPTED_ANSWER,
  SCRIPTED_COMMAND,
  SCRIPTED_TOOL_OUTPUT,
  TOOL_CALL_FAMILIES,
} from "./support/tool-call-families.js";

interface ChatRequest {
  messages: Array<{
    role: string;
    content: unknown;
    tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    tool_call_id?: string;
  }>;
}

/** The text of a chat message's content: a string, or OpenAI's array of text parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: { text?: string }) => part.text ?? "").join("");
}

describe.each(TOOL_CALL_FAMILIES)("pi runs a tool through Switchyard, $family template", ({ template }) => {
  let engine: Awaited<ReturnType<typeof startTestGateway>>;
  let upstream: HttpFaultProxy;
  let gateway: RunningSwitchyard;
  let root: string;
  beforeAll(async () => {
    // pi's shell tool is `bash` (lower case), with a `command` argument like Claude Code's Bash.
    const model = await ensureTestModel({ template, script: "tool-call", tool: "bash" });
    // The llama-server Switchyard runs, behind a proxy that keeps what reaches it: the model answers
    // once "-tool" is anywhere in its prompt (the call has it too), so only the upstream request shows
    // that the tool's output itself got there.
    engine = await startTestGateway({ telemetry: { turnsFile: null } }, { modelFile: model });
    upstream = await startHttpFaultProxy(engine.engine?.url as string);
    gateway = await startGatewayFor([{ name: "local", type: "llama-server", url: upstream.url }]);
    root = piSandbox(gateway.url, [
      { id: "local", reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 2048 },
    ]);
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await engine?.close();
  });

  it("the model asks for bash, pi runs it, the output goes back, and pi ends with the answer", async () => {
    const session = join(root, "sessions", "session.jsonl");
    const run = await runPi([...piFlags("switchyard/local", session), "run the tool"], root, 240_000);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(SCRIPTED_ANSWER);

    // Two requests upstream: the first is answered with the call; the second carries the call and its output.
    const requests = upstream.generationBodies.map((body) => JSON.parse(body) as ChatRequest);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.messages.at(-1)?.role).toBe("user");
    const [call, result] = requests[1]?.messages.slice(-2) ?? [];
    expect(call?.role).toBe("assistant");
    expect(call?.tool_calls).toHaveLength(1);
    const toolCall = call?.tool_calls?.[0];
    expect(toolCall?.function.name).toBe("bash");
    expect(JSON.parse(toolCall?.function.arguments ?? "{}")).toEqual({ command: SCRIPTED_COMMAND });
    expect(result?.role).toBe("tool");
    expect(result?.tool_call_id).toBe(toolCall?.id);
    // The command's output itself, not an error message that quotes the command.
    expect(textOf(result?.content).trim()).toBe(SCRIPTED_TOOL_OUTPUT);

    const turns = gateway.recorder.recent().filter((turn) => turn.endpoint === "chat_completions");
    expect(turns.map((turn) => turn.stopReason?.unified)).toEqual(["tool_use", "end_turn"]);
    expect(turns.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);
  });
});
