import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { GEMMA_4_RENDER } from "../../families/gemma-4-render.js";
import { PromptRenderer } from "./render-prompt.js";

/**
 * The shape of a Gemma 4 turn as Switchyard renders the stock template (llama.cpp's
 * models/templates/google-gemma-4-31B-it.jinja): the model's text where it wrote it, before its call;
 * the call's results in the same turn, which stays open for the model to go on in; with thinking off,
 * the empty thought channel the generation prompt gave the turn. Whether the prompt is append-only is
 * test/model-families.test.ts's; this pins what the model reads.
 */
const Q = '<|"|>';
const template = () =>
  readFileSync(join(inject("llamaSource"), "models", "templates", "google-gemma-4-31B-it.jinja"), "utf8");

describe("Gemma 4 rendered by Switchyard", () => {
  const renderer = PromptRenderer.create(template(), GEMMA_4_RENDER, { bosToken: "", eosToken: "", addsBos: false });
  if (typeof renderer === "string") throw new Error(renderer);
  const messages = [
    { role: "user" as const, content: "List the files." },
    {
      role: "assistant" as const,
      content: "Looking.",
      tool_calls: [{ id: "c1", type: "function" as const, function: { name: "Bash", arguments: '{"command":"ls"}' } }],
    },
    { role: "tool" as const, tool_call_id: "c1", content: "a.txt" },
    { role: "assistant" as const, content: "One file." },
    { role: "user" as const, content: "Thanks." },
  ];
  const render = (enable_thinking: boolean) =>
    renderer.render({ messages, tools: [], addGenerationPrompt: true, kwargs: { enable_thinking } });
  const run = `Looking.<|tool_call>call:Bash{command:${Q}ls${Q}}<tool_call|><|tool_response>response:Bash{value:${Q}a.txt${Q}}<tool_response|>One file.<turn|>\n`;

  it("writes a turn's text before its call and goes on in the same turn after the result", () => {
    expect(render(true)).toContain(`<|turn>user\nList the files.<turn|>\n<|turn>model\n${run}<|turn>user\nThanks.`);
    expect(render(true)).toMatch(/<\|turn>model\n$/);
  });

  it("with thinking off, gives each model turn the empty thought channel of its generation prompt", () => {
    const empty = "<|channel>thought\n<channel|>";
    expect(render(false)).toContain(`<|turn>model\n${empty}${run}<|turn>user\nThanks.`);
    expect(render(false)).toMatch(/<\|turn>model\n<\|channel>thought\n<channel\|>$/);
  });
});
