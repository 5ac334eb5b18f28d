import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkAnthropicStream } from "../../test/support/anthropic-sse-checker.js";
import { accumulateOpenAIStream } from "../../test/support/openai-chunk-accumulator.js";
import { checkResponsesStream } from "../../test/support/responses-sse-checker.js";
import { anthropicEndpoint } from "./anthropic-endpoint.js";
import { anthropicTurnSse } from "./anthropic-turn-sse.js";
import { startCaptureServer } from "./capture-server.js";
import { openAITurnSse } from "./openai-turn-sse.js";
import { responsesTurnSse } from "./responses-turn-sse.js";
import { scriptedSignature } from "./scripted-turn.js";
import { CLAUDE_CODE_SCRIPTS, CODEX_SCRIPTS, OPENCODE_SCRIPTS, PI_SCRIPTS, scriptPosition } from "./session-scripts.js";

const WORKDIR = "/tmp/demo-app";
const steps = (scripts: typeof CLAUDE_CODE_SCRIPTS) =>
  Object.entries(scripts).flatMap(([name, script]) =>
    script(WORKDIR).map((turn, step) => ({ label: `${name} step ${step}`, turn })),
  );

describe("the scripted endpoint's answers are valid protocol", () => {
  it.each(steps(CLAUDE_CODE_SCRIPTS))("Anthropic: $label passes the strict SSE checker", ({ turn }) => {
    for (const thinkingDisplay of ["summarized", "omitted"]) {
      const sse = anthropicTurnSse(turn, {
        model: "claude-opus-5-5",
        messageId: "msg_1",
        inputText: "x",
        thinkingDisplay,
      });
      const check = checkAnthropicStream(sse);
      expect(check.violations).toEqual([]);
      const expected = [
        ...(turn.thinking === undefined
          ? []
          : [
              {
                type: "thinking",
                thinking: thinkingDisplay === "omitted" ? "" : turn.thinking,
                signature: scriptedSignature(turn.thinking),
              },
            ]),
        ...(turn.text === undefined ? [] : [{ type: "text", text: turn.text }]),
        ...(turn.toolCalls ?? []).map((call) => ({ type: "tool_use", ...call })),
      ];
      expect(check.message?.content).toEqual(expected);
      expect(check.message?.stop_reason).toBe(turn.toolCalls ? "tool_use" : "end_turn");
    }
  });

  it.each(steps({ ...PI_SCRIPTS, ...OPENCODE_SCRIPTS }))("OpenAI: $label accumulates without a problem", ({ turn }) => {
    const sse = openAITurnSse(turn, { model: "local", completionId: "c1", inputText: "x", includeUsage: true });
    const stream = accumulateOpenAIStream(sse);
    expect(stream.problems).toEqual([]);
    expect(stream.sawDone).toBe(true);
    expect(stream.content).toBe(turn.text ?? "");
    expect(stream.reasoningContent).toBe(turn.thinking ?? "");
    expect(stream.toolCalls).toEqual(
      (turn.toolCalls ?? []).map((call) => ({ id: call.id, name: call.name, arguments: JSON.stringify(call.input) })),
    );
    expect(stream.finishReason).toBe(turn.toolCalls ? "tool_calls" : "stop");
    expect(stream.usage).toBeDefined();
  });

  it.each(steps(CODEX_SCRIPTS))("Responses: $label passes the strict checker", ({ turn }) => {
    const check = checkResponsesStream(
      responsesTurnSse(turn, { model: "local", responseId: "resp_1", inputText: "x" }),
    );
    expect(check.violations).toEqual([]);
    expect(check.ending).toBe("response.completed");
    expect(check.items.map(({ id: _id, status: _status, ...item }) => item)).toEqual([
      ...(turn.thinking === undefined
        ? []
        : [{ type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: turn.thinking }] }]),
      ...(turn.text === undefined
        ? []
        : [
            {
              type: "message",
              role: "assistant",
              content: [{ type: "output_text", text: turn.text, annotations: [] }],
            },
          ]),
      ...(turn.toolCalls ?? []).map((call) => ({
        type: "function_call",
        call_id: call.id,
        name: call.name,
        ...(call.namespace ? { namespace: call.namespace } : {}),
        arguments: JSON.stringify(call.input),
      })),
    ]);
  });
});

describe("the script position", () => {
  it("counts assistant turns after the newest user message with a marker", () => {
    const messages = [
      { role: "user", content: "[script:basic-1] go" },
      { role: "assistant", content: [] },
      { role: "user", content: [{ type: "tool_result" }] },
      { role: "assistant", content: [] },
      { role: "user", content: [{ type: "text", text: "[script:basic-2] again" }] },
      { role: "system", content: [] },
      { role: "assistant", content: [] },
    ];
    expect(scriptPosition(messages)).toEqual({ name: "basic-2", step: 1 });
    expect(scriptPosition(messages.slice(0, 4))).toEqual({ name: "basic-1", step: 2 });
    expect(scriptPosition([{ role: "user", content: "no marker" }])).toBeUndefined();
  });
});

describe("the capture server", () => {
  it("records each request without its credentials and answers as the script says", async () => {
    const directory = join(mkdtempSync(join(tmpdir(), "capture-")), "session");
    const server = await startCaptureServer(anthropicEndpoint(CLAUDE_CODE_SCRIPTS, WORKDIR));
    try {
      server.recordInto(directory);
      const hello = await fetch(`${server.url}/api/hello`, { method: "HEAD" });
      expect(hello.status).toBe(200);
      const body = {
        model: "m",
        max_tokens: 10,
        stream: true,
        messages: [{ role: "user", content: "[script:basic-1] go" }],
        tools: [{ name: "Bash", input_schema: { type: "object" } }],
      };
      const answer = await fetch(`${server.url}/v1/messages?beta=true`, {
        method: "POST",
        headers: { "x-api-key": "sk-secret", authorization: "Bearer sk-secret", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const check = checkAnthropicStream(await answer.text());
      expect(check.violations).toEqual([]);
      expect(check.message?.content.at(-1)).toMatchObject({ type: "tool_use", id: "toolu_basic_01", name: "Bash" });
      const sideTask = await fetch(`${server.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ ...body, tools: undefined }),
      });
      expect(checkAnthropicStream(await sideTask.text()).message?.content).toEqual([
        { type: "text", text: "Scripted session" },
      ]);
      expect((await fetch(`${server.url}/v1/unknown`)).status).toBe(404);

      expect(readdirSync(directory)).toEqual(["001.json", "002.json", "003.json", "004.json"]);
      const recorded = readFileSync(join(directory, "002.json"), "utf8");
      expect(recorded).not.toContain("sk-secret");
      expect(JSON.parse(recorded)).toMatchObject({ method: "POST", url: "/v1/messages?beta=true", body });
      expect(JSON.parse(readFileSync(join(directory, "001.json"), "utf8"))).toMatchObject({
        method: "HEAD",
        body: null,
      });
    } finally {
      await server.close();
    }
  });
});
