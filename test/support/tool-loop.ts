import { expect } from "vitest";
import type { RunningSwitchyard } from "../../src/gateway/start-switchyard.js";
import { ensureTestModel } from "../../src/test-model/test-model-cache.js";
import { startHttpFaultProxy } from "./fault-proxy.js";
import { startGatewayFor } from "./gateway-for-backends.js";
import { startTestGateway } from "./test-gateway.js";
import { SCRIPTED_COMMAND, SCRIPTED_TOOL_OUTPUT } from "./tool-call-families.js";

interface ChatMessage {
  role: string;
  content: unknown;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** A chat completions request as Switchyard sent it to llama-server, with the fields these tests read. */
export interface UpstreamRequest {
  messages: ChatMessage[];
  tools?: unknown[];
}

export interface ToolLoop {
  /** Switchyard's OpenAI door is at `${gateway.url}/v1`. */
  gateway: RunningSwitchyard;
  /** The generation requests that reached llama-server, oldest first. */
  upstreamRequests(): UpstreamRequest[];
  /** The prompts Switchyard rendered and sent to `/completion` (families it renders itself), oldest first. */
  renderedPrompts(): string[];
  close(): Promise<void>;
}

/**
 * Switchyard in front of the real llama-server serving the tool-call test model for `template` (its
 * call named `tool`, its one argument `argument`), with a proxy between them that keeps what reaches the
 * engine. The model answers once "-tool" is anywhere in its prompt, and the call itself has it, so only
 * the upstream request shows that a tool's output got there.
 */
export async function startToolLoop(template: string, tool: string, argument?: string): Promise<ToolLoop> {
  const model = await ensureTestModel({ template, script: "tool-call", tool, argument });
  const engine = await startTestGateway({ telemetry: { turnsFile: null } }, { modelFile: model });
  const upstream = await startHttpFaultProxy(engine.engine?.url as string);
  const gateway = await startGatewayFor([{ name: "local", type: "llama-server", url: upstream.url }]);
  return {
    gateway,
    upstreamRequests: () => upstream.generationBodies.map((body) => JSON.parse(body) as UpstreamRequest),
    renderedPrompts: () =>
      upstream.completionBodies
        .map((body) => JSON.parse(body) as { prompt?: unknown; stream?: boolean })
        // The slot probe's one-token prompts are not streamed; generations are.
        .flatMap((body) => (body.stream && typeof body.prompt === "string" ? [body.prompt] : [])),
    close: async () => {
      await gateway.close();
      await upstream.close();
      await engine.close();
    },
  };
}

/** The text of a chat message's content: a string, or OpenAI's array of text parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: { text?: string }) => part.text ?? "").join("");
}

/**
 * Expects the loop the tool-call script makes, as llama-server saw it: the request that carries a tool
 * result ends with the model's one call of `tool` (the scripted command) and the command's output.
 * `commandOutput` reads the command's output out of the result a client wrote (Codex heads it with the
 * exit code and the time taken).
 */
export function expectToolRoundTrip(
  requests: UpstreamRequest[],
  tool: string,
  argument = "command",
  commandOutput = (result: string) => result,
): void {
  const withResult = requests.filter((request) => request.messages.at(-1)?.role === "tool");
  expect(withResult).toHaveLength(1);
  const [call, result] = withResult[0]?.messages.slice(-2) ?? [];
  expect(call?.role).toBe("assistant");
  expect(call?.tool_calls).toHaveLength(1);
  const toolCall = call?.tool_calls?.[0];
  expect(toolCall?.function.name).toBe(tool);
  expect(JSON.parse(toolCall?.function.arguments ?? "{}")).toEqual({ [argument]: SCRIPTED_COMMAND });
  expect(result?.tool_call_id).toBe(toolCall?.id);
  // The command's output itself, not an error message that quotes the command.
  expect(commandOutput(textOf(result?.content)).trim()).toBe(SCRIPTED_TOOL_OUTPUT);
}
