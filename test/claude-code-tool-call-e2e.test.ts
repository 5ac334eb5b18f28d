import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { startTestGateway } from "./support/test-gateway.js";
import {
  CHAT_PATH_TOOL_CALL_FAMILIES,
  RENDERED_ONE_PER_SYNTAX,
  SCRIPTED_ANSWER,
  SCRIPTED_COMMAND,
  SCRIPTED_TOOL_OUTPUT,
} from "./support/tool-call-families.js";

interface LoggedRequest {
  messages?: Array<{ role: string; content: unknown }>;
}

/** The request bodies Switchyard logged (telemetry.logBodies), oldest first. */
function loggedRequests(log: readonly string[]): LoggedRequest[] {
  const prefix = "request body ";
  return log.filter((line) => line.startsWith(prefix)).map((line) => JSON.parse(line.slice(prefix.length)));
}

/** The tool_result blocks of a request's last user message. */
function toolResults(request: LoggedRequest): Array<{ tool_use_id: string; content: unknown }> {
  const last = request.messages?.at(-1);
  if (last?.role !== "user" || !Array.isArray(last.content)) return [];
  return last.content.filter((block: { type?: string }) => block.type === "tool_result");
}

/** Switchyard on the family's tool-call test model, and a scratch home for Claude Code, per describe block. */
function gatewayOn(template: string) {
  let gateway: Awaited<ReturnType<typeof startTestGateway>> | undefined;
  const sandbox = claudeSandbox();
  beforeAll(async () => {
    const model = await ensureTestModel({ template, script: "tool-call" });
    gateway = await startTestGateway({ telemetry: { logBodies: true, turnsFile: null } }, { modelFile: model });
    mkdirSync(sandbox.home, { recursive: true });
  });
  afterAll(async () => {
    await gateway?.close();
  });
  /** Runs Claude Code on "run the tool" and checks the call and its result went through; its run and the turns. */
  return async () => {
    if (!gateway) throw new Error("the gateway did not start");
    const run = await runClaude(["-p", "run the tool", "--output-format", "json", "--allowedTools", "Bash"], {
      baseUrl: gateway.url,
      home: sandbox.home,
      cwd: sandbox.workdir,
      timeoutMs: 240_000,
    });
    // The CLI ran the command the model asked for and sent its output back in the next request.
    const withResult = loggedRequests(gateway.log).filter((request) => toolResults(request).length > 0);
    expect(withResult.length, run.stderr).toBeGreaterThan(0);
    const [toolResult] = toolResults(withResult[0] as LoggedRequest);
    expect(JSON.stringify(toolResult?.content)).toContain(SCRIPTED_TOOL_OUTPUT);
    const toolUse = JSON.stringify(withResult[0]?.messages?.at(-2)?.content);
    expect(toolUse).toContain(SCRIPTED_COMMAND);
    const turns = gateway.recorder.recent().filter((turn) => turn.endpoint === "messages");
    expect(turns.some((turn) => turn.stopReason?.unified === "tool_use")).toBe(true);
    return { run, turns };
  };
}

// On the chat path llama-server parses the call; rendered families (one per output syntax) go to
// /completion and Switchyard parses the call and the answer itself (llama-server's own DeepSeek V3.2 parser
// fails every request with a tool result last, ANSWER_UNPARSED_FAMILIES; Gemma 4's stock template is not
// append-only on the chat path). The loop and what it must show are the same for both.
/** The loop and what it must show, for one family's tool-call test model. */
function toolLoopOn({ template }: { template: string }): void {
  const runToolLoop = gatewayOn(template);

  it("the model asks for Bash, the CLI runs it, the output goes back, and the CLI ends with the answer", async () => {
    const { run, turns } = await runToolLoop();
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { is_error: boolean; result: string };
    expect(result.is_error).toBe(false);
    expect(result.result).toBe(SCRIPTED_ANSWER);
    expect(turns.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);
  });
}

describe.each(CHAT_PATH_TOOL_CALL_FAMILIES)("Claude Code runs a tool through Switchyard, $family template", toolLoopOn);
describe.each(RENDERED_ONE_PER_SYNTAX)(
  "Claude Code runs a tool through Switchyard, $family template (Switchyard renders)",
  toolLoopOn,
);
