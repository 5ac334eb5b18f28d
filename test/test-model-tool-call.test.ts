import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import {
  SCRIPTED_ANSWER,
  SCRIPTED_COMMAND,
  SCRIPTED_TOOL_OUTPUT,
  TOOL_CALL_FAMILIES,
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

async function complete(url: string, messages: unknown[], enableThinking: boolean): Promise<Completion> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      messages,
      tools: TOOLS,
      max_tokens: 300,
      chat_template_kwargs: { enable_thinking: enableThinking },
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Completion;
}

describe.each(TOOL_CALL_FAMILIES)("tool-call test model, $family template", ({ template, reasons }) => {
  let engine: EngineSupervisor;
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

  it("calls Bash with reasoning first, then answers in text once the result is in", async () => {
    const user = { role: "user", content: "Run the tool." };
    const first = (await complete(engine.url, [user], true)).choices[0];
    expect(first?.finish_reason).toBe("tool_calls");
    expect(first?.message.tool_calls).toHaveLength(1);
    const call = first?.message.tool_calls?.[0];
    expect(call?.function.name).toBe("Bash");
    expect(JSON.parse(call?.function.arguments ?? "{}")).toEqual({ command: SCRIPTED_COMMAND });
    if (reasons) expect(first?.message.reasoning_content?.trim()).toBe("Calling the tool now.");

    const history = [
      user,
      { role: "assistant", content: "", tool_calls: [{ ...call, type: "function" }] },
      { role: "tool", tool_call_id: call?.id, content: `${SCRIPTED_TOOL_OUTPUT}\n` },
    ];
    const second = (await complete(engine.url, history, true)).choices[0];
    expect(second?.finish_reason).toBe("stop");
    expect(second?.message.tool_calls ?? []).toHaveLength(0);
    expect(second?.message.content).toBe(SCRIPTED_ANSWER);
  });
});
