import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import {
  ANSWER_UNPARSED_FAMILIES,
  SCRIPTED_ANSWER,
  SCRIPTED_COMMAND,
  SCRIPTED_TOOL_OUTPUT,
  TOOL_CALL_FAMILIES,
  UNPARSED_OUTPUT_ERROR,
} from "./support/tool-call-families.js";

/**
 * The tool-call test model against the real llama-server: the family's own tool-call bytes come back
 * through llama-server's parser as `tool_calls` (and `reasoning_content` where the family thinks), and
 * once the tool result is in the history the model answers in text.
 */
const TOOLS = [
  {
    type: "function",
    function: {
      name: "Bash",
      description: "Runs a shell command.",
      parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
    },
  },
];

interface Completion {
  choices: Array<{
    finish_reason: string;
    message: {
      content: string | null;
      reasoning_content?: string;
      tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    };
  }>;
}

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const chatBody = (messages: unknown[]) => ({
  messages,
  tools: TOOLS,
  max_tokens: 300,
  chat_template_kwargs: { enable_thinking: true },
});

async function complete(url: string, messages: unknown[]): Promise<Completion> {
  const response = await post(url, "/v1/chat/completions", chatBody(messages));
  expect(response.status).toBe(200);
  return (await response.json()) as Completion;
}

/** A llama-server on the family's tool-call test model, for the describe block it is called in. */
function engineOn(template: string): { url: () => string } {
  let engine: EngineSupervisor | undefined;
  beforeAll(async () => {
    const model = await ensureTestModel({ template, script: "tool-call" });
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model,
      args: ["--jinja", "--parallel", "1", "--ctx-size", "8192", "--no-webui"],
    });
  });
  afterAll(async () => {
    await engine?.stop();
  });
  return { url: () => engine?.url ?? "" };
}

const user = { role: "user", content: "Run the tool." };

/** The first request: one call of Bash with the scripted command (and reasoning, where the family has it). */
async function expectBashCall(url: string, reasons: boolean) {
  const first = (await complete(url, [user])).choices[0];
  expect(first?.finish_reason).toBe("tool_calls");
  expect(first?.message.tool_calls).toHaveLength(1);
  const call = first?.message.tool_calls?.[0];
  expect(call?.function.name).toBe("Bash");
  expect(JSON.parse(call?.function.arguments ?? "{}")).toEqual({ command: SCRIPTED_COMMAND });
  if (reasons) expect(first?.message.reasoning_content?.trim()).toBe("Calling the tool now.");
  return [
    user,
    { role: "assistant", content: "", tool_calls: [{ ...call, type: "function" }] },
    { role: "tool", tool_call_id: call?.id, content: `${SCRIPTED_TOOL_OUTPUT}\n` },
  ];
}

describe.each(TOOL_CALL_FAMILIES)("tool-call test model, $family template", ({ template, reasons }) => {
  const engine = engineOn(template);

  it("calls Bash with reasoning first, then answers in text once the result is in", async () => {
    const history = await expectBashCall(engine.url(), reasons);
    const second = (await complete(engine.url(), history)).choices[0];
    expect(second?.finish_reason).toBe("stop");
    expect(second?.message.tool_calls ?? []).toHaveLength(0);
    expect(second?.message.content).toBe(SCRIPTED_ANSWER);
  });
});

describe.each(ANSWER_UNPARSED_FAMILIES)(
  "tool-call test model, $family template",
  ({ template, reasons, rawAnswer }) => {
    const engine = engineOn(template);

    it("calls Bash with reasoning first; once the result is in it says the answer, which llama-server cannot parse", async () => {
      const history = await expectBashCall(engine.url(), reasons);
      // The engine's own rendering of that history, completed raw: the model says the scripted answer.
      const rendered = (await (await post(engine.url(), "/apply-template", chatBody(history))).json()) as {
        prompt: string;
      };
      const raw = await post(engine.url(), "/completion", { prompt: rendered.prompt, n_predict: 300 });
      expect(((await raw.json()) as { content: string }).content).toBe(rawAnswer);
      // The chat endpoint parses that answer after the generation prompt and rejects it (see
      // ANSWER_UNPARSED_FAMILIES). When an engine upgrade fixes the parser this fails: move the family to
      // TOOL_CALL_FAMILIES, and into the Claude Code end-to-end test.
      const second = await post(engine.url(), "/v1/chat/completions", chatBody(history));
      expect(second.status).toBe(500);
      expect(JSON.stringify(await second.json())).toContain(UNPARSED_OUTPUT_ERROR);
    });
  },
);
