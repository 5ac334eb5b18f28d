import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { DEEPSEEK_R1_CORRECTED, DEEPSEEK_R1_RENDER } from "../../families/deepseek-r1-render.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { PromptRenderer } from "./render-prompt.js";

/**
 * The R1 distills as Switchyard renders them: each stock template (llama.cpp's models/templates/) replaced
 * by its corrected copy. Whether the prompt is append-only is test/model-families.test.ts's; this pins
 * what the model reads: a turn's text and all its calls in one turn, in the Qwen distill's call syntax,
 * every run of calls and of results written alike, and every generation prompt the stock template's own.
 */
const FENCE = "```";
const TOKENS = { bosToken: "<｜begin▁of▁sentence｜>", eosToken: "<｜end▁of▁sentence｜>", addsBos: false };
const callOf = (id: string, name: string, json: string) => ({
  id,
  type: "function" as const,
  function: { name, arguments: json },
});
const written = (name: string, json: string) =>
  `<｜tool▁call▁begin｜>function<｜tool▁sep｜>${name}\n${FENCE}json\n${json}\n${FENCE}<｜tool▁call▁end｜>`;

const system = { role: "system" as const, content: "You are a coding agent." };
const user = { role: "user" as const, content: "List the files." };
const calls = {
  role: "assistant" as const,
  content: "Looking.",
  tool_calls: [callOf("c1", "Bash", '{"command":"ls"}'), callOf("c2", "Read", '{"file_path":"a.txt"}')],
};
const results = [
  { role: "tool" as const, tool_call_id: "c1", content: "a.txt" },
  { role: "tool" as const, tool_call_id: "c2", content: "hello" },
];
const again = { role: "assistant" as const, content: "", tool_calls: [callOf("c3", "Bash", '{"command":"pwd"}')] };
const againResult = { role: "tool" as const, tool_call_id: "c3", content: "/repo" };
const answer = { role: "assistant" as const, content: "Two files." };
const next = { role: "user" as const, content: "Thanks." };
const tools = [{ type: "function", function: { name: "Bash", parameters: { type: "object" } } }];

describe.each(Object.keys(DEEPSEEK_R1_CORRECTED))("%s rendered by Switchyard", (file) => {
  const source = readFileSync(join(inject("llamaSource"), "models", "templates", file), "utf8");
  const corrected = PromptRenderer.create(DEEPSEEK_R1_CORRECTED[file] as string, DEEPSEEK_R1_RENDER, TOKENS);
  const stock = PromptRenderer.create(source, DEEPSEEK_R1_RENDER, TOKENS);
  if (typeof corrected === "string" || typeof stock === "string") throw new Error("the template does not render");
  const render = (renderer: PromptRenderer, messages: ChatMessage[], thinking: boolean) =>
    renderer.render({
      messages: [system, ...messages],
      tools,
      addGenerationPrompt: true,
      kwargs: { enable_thinking: thinking },
    });

  it("writes a turn's text and all its calls in one turn, and every run of calls and results alike", () => {
    const prompt = render(corrected, [user, calls, ...results, again, againResult, answer, next], true);
    const turn = `<｜Assistant｜><think>\n</think>\n\nLooking.<｜tool▁calls▁begin｜>${written("Bash", '{"command": "ls"}')}\n${written("Read", '{"file_path": "a.txt"}')}<｜tool▁calls▁end｜><｜end▁of▁sentence｜>`;
    expect(prompt).toContain(
      `${turn}<｜tool▁outputs▁begin｜>${file.startsWith("llama-cpp") ? "\n" : ""}<｜tool▁output▁begin｜>a.txt<｜tool▁output▁end｜>\n<｜tool▁output▁begin｜>hello<｜tool▁output▁end｜><｜tool▁outputs▁end｜>`,
    );
    expect(prompt).toContain(`<｜tool▁calls▁begin｜>${written("Bash", '{"command": "pwd"}')}<｜tool▁calls▁end｜>`);
    expect(prompt.split("<｜tool▁outputs▁begin｜>")).toHaveLength(3);
    expect(prompt.split("<｜tool▁outputs▁end｜>")).toHaveLength(3);
  });

  it.each([true, false])("gives the model the stock template's own generation prompts (thinking %s)", (thinking) => {
    const first = render(corrected, [user], thinking);
    expect(first).toBe(render(stock, [user], thinking));
    // After tool results: the stock template's ending, whatever it wrote before.
    const afterResults = (prompt: string) => prompt.slice(prompt.lastIndexOf("<｜tool▁output▁end｜>"));
    const waiting = render(corrected, [user, calls, ...results], thinking);
    expect(waiting.startsWith(first)).toBe(true);
    expect(afterResults(waiting)).toBe(afterResults(render(stock, [user, calls, ...results], thinking)));
    // After a new user query.
    const afterQuery = (prompt: string) => prompt.slice(prompt.lastIndexOf("<｜User｜>"));
    const conversation = [user, answer, next];
    expect(afterQuery(render(corrected, conversation, thinking))).toBe(
      afterQuery(render(stock, conversation, thinking)),
    );
  });
});
