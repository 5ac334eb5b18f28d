import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNPARSED_TOOL_CALL } from "../src/backends/llama-server/read-completion-stream.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

/**
 * Item 6 of issue 13: the model writes a tool call the engine cannot parse (the malformed-tool-call
 * test model). Whatever llama-server makes of it, the client gets an answer or a clean error it will
 * not retry (no 5xx), and the turn record says what happened.
 */
const BASH = {
  name: "Bash",
  description: "Runs a shell command.",
  schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};

const DOORS = [
  {
    door: "Anthropic",
    path: "/v1/messages",
    body: (stream: boolean) => ({
      model: "local",
      max_tokens: 40,
      stream,
      messages: [{ role: "user", content: "Run the tool." }],
      tools: [{ name: BASH.name, description: BASH.description, input_schema: BASH.schema }],
    }),
  },
  {
    door: "OpenAI",
    path: "/v1/chat/completions",
    body: (stream: boolean) => ({
      model: "local",
      max_tokens: 40,
      stream,
      messages: [{ role: "user", content: "Run the tool." }],
      tools: [
        { type: "function", function: { name: BASH.name, description: BASH.description, parameters: BASH.schema } },
      ],
    }),
  },
];
const CASES = DOORS.flatMap((door) => [false, true].map((stream) => ({ ...door, stream })));

/** Switchyard in front of llama-server serving the malformed-tool-call model of `template`, for one describe. */
function gatewayServing(template: string): () => Awaited<ReturnType<typeof startTestGateway>> {
  let gateway: Awaited<ReturnType<typeof startTestGateway>> | undefined;
  beforeAll(async () => {
    const model = await ensureTestModel({ template, script: "malformed-tool-call" });
    gateway = await startTestGateway({ telemetry: { turnsFile: null } }, { modelFile: model });
  });
  afterAll(async () => {
    await gateway?.close();
  });
  return () => {
    if (!gateway) throw new Error("the gateway did not start");
    return gateway;
  };
}

async function send(url: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe("a tool call llama-server cannot parse (gpt-oss: HTTP 500, or an error event mid-stream)", () => {
  const gateway = gatewayServing("openai-gpt-oss-120b.jinja");

  it.each(CASES)(
    "$door door, stream $stream: a clean error the client does not retry, recorded",
    async ({ path, body, stream }) => {
      const { recorder, url } = gateway();
      const before = recorder.recent().length;
      const answer = await send(url, path, body(stream));
      if (stream) {
        // llama-server sends a role chunk first, so the stream has begun: the error is its final event.
        expect(answer.status).toBe(200);
        expect(answer.text).toMatch(/"type":"invalid_request_error"/);
      } else {
        // Was 502 (api_error), which Claude Code retries without end; the same request fails the same way.
        expect(answer.status).toBe(422);
      }
      expect(answer.text).toMatch(/cannot parse the model's output/);
      const [turn] = (await waitForTurns(recorder, before + 1)).slice(before);
      expect(turn?.error?.code).toBe("unparseable_model_output");
    },
  );
});

describe("a tool call llama-server parses only in part (Qwen3.5: cut-off arguments under its grammar)", () => {
  const gateway = gatewayServing("Qwen3.5-4B.jinja");

  it.each(CASES)(
    "$door door, stream $stream: a valid answer that stopped at max_tokens",
    async ({ path, body, stream }) => {
      const { recorder, url } = gateway();
      const before = recorder.recent().length;
      const answer = await send(url, path, body(stream));
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/"stop_reason":"max_tokens"|"finish_reason":"length"/);
      const [turn] = (await waitForTurns(recorder, before + 1)).slice(before);
      expect(turn?.status).toBe(200);
      expect(turn?.stopReason?.unified).toBe("max_tokens");
    },
  );
});

const RENDERED = [
  { family: "DeepSeek V3.2", template: "deepseek-ai-DeepSeek-V3.2.jinja", marker: "function_calls>" },
  { family: "Seed-OSS", template: "ByteDance-Seed-OSS.jinja", marker: "<function=Bash" },
  { family: "StepFun 3.5", template: "StepFun3.5-Flash.jinja", marker: "<function=Bash" },
  {
    family: "DeepSeek R1 distills",
    template: "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja",
    marker: "function<｜tool▁sep｜>Bash",
  },
];

describe.each(RENDERED)(
  "a tool call Switchyard's own parser cannot read ($family, rendered by Switchyard: cut off)",
  ({ template, marker }) => {
    const gateway = gatewayServing(template);

    it.each(CASES)(
      "$door door, stream $stream: a valid answer with the output as text, and the record says so",
      async ({ path, body, stream }) => {
        const { recorder, url } = gateway();
        const before = recorder.recent().length;
        const answer = await send(url, path, { ...body(stream), max_tokens: 200 });
        expect(answer.status).toBe(200);
        // The cut-off call reaches the client as text (JSON-escaped in the answer), not as a guessed call.
        expect(answer.text).toContain(marker);
        expect(answer.text).not.toMatch(/"tool_use"|"tool_calls"/);
        const [turn] = (await waitForTurns(recorder, before + 1)).slice(before);
        expect(turn?.status).toBe(200);
        expect(turn?.error).toBeUndefined();
        expect(turn?.stopReason?.raw).toContain(UNPARSED_TOOL_CALL);
      },
    );
  },
);

describe("a tool call Switchyard's own parser cannot read (Gemma 4, rendered by Switchyard: cut off)", () => {
  const gateway = gatewayServing("google-gemma-4-31B-it.jinja");
  // The test model is scripted for Gemma 4's thinking-on prompt (docs/design/test-model.md).
  const thinkingOn = (door: string) =>
    door === "Anthropic" ? { thinking: { type: "enabled", budget_tokens: 1024 } } : { reasoning_effort: "high" };

  it.each(CASES)(
    "$door door, stream $stream: a valid answer with the output as text, and the record says so",
    async ({ door, path, body, stream }) => {
      const { recorder, url } = gateway();
      const before = recorder.recent().length;
      const answer = await send(url, path, { ...body(stream), max_tokens: 2048, ...thinkingOn(door) });
      expect(answer.status).toBe(200);
      // The cut-off call reaches the client as text, not as a guessed call.
      expect(answer.text).toContain("call:Bash{command:");
      expect(answer.text).not.toMatch(/"tool_use"|"tool_calls"/);
      const [turn] = (await waitForTurns(recorder, before + 1)).slice(before);
      expect(turn?.status).toBe(200);
      expect(turn?.error).toBeUndefined();
      expect(turn?.stopReason?.raw).toContain(UNPARSED_TOOL_CALL);
    },
  );
});
