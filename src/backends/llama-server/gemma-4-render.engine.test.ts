import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { GEMMA_4_INTERLEAVED_RENDER, GEMMA_4_RENDER } from "../../families/gemma-4-render.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
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

/**
 * Where the model writes, it reads what the template as shipped gives it: the first generation prompt of
 * a conversation is the unpatched template's own (llama-server's rendering, test/model-families.test.ts),
 * and after a tool result the prompt ends as the unpatched template's does, thinking on and off; the call
 * in between is rendered after the very generation prompt the model wrote it after.
 */
describe.each([
  ["google-gemma-4-31B-it.jinja", GEMMA_4_RENDER],
  ["google-gemma-4-31B-it-interleaved.jinja", GEMMA_4_INTERLEAVED_RENDER],
] as const)("%s rendered by Switchyard", (file, mode) => {
  const source = readFileSync(join(inject("llamaSource"), "models", "templates", file), "utf8");
  const tokens = { bosToken: "", eosToken: "", addsBos: false };
  const patched = PromptRenderer.create(source, mode, tokens);
  const stock = PromptRenderer.create(source, { ...mode, patches: [] }, tokens);
  if (typeof patched === "string" || typeof stock === "string") throw new Error("the template does not render");
  const user = { role: "user" as const, content: "List the files." };
  const call = {
    role: "assistant" as const,
    content: "",
    tool_calls: [{ id: "c1", type: "function" as const, function: { name: "Bash", arguments: '{"command":"ls"}' } }],
  };
  const result = { role: "tool" as const, tool_call_id: "c1", content: "a.txt" };
  const afterResults = (prompt: string) => prompt.slice(prompt.lastIndexOf("<tool_response|>"));

  it.each([true, false])("gives the model the template's own generation prompts (thinking %s)", (thinking) => {
    const render = (renderer: PromptRenderer, messages: ChatMessage[]) =>
      renderer.render({ messages, tools: [], addGenerationPrompt: true, kwargs: { enable_thinking: thinking } });
    const first = render(patched, [user]);
    expect(first).toBe(render(stock, [user]));
    const next = render(patched, [user, call, result]);
    expect(next.startsWith(first)).toBe(true);
    expect(afterResults(next)).toBe(afterResults(render(stock, [user, call, result])));
  });
});
