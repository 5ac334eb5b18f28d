import { describe, expect, it } from "vitest";
import type { RenderedPromptMode } from "../../families/rendered-prompt-mode.js";
import { PromptRenderer } from "./render-prompt.js";

const MODE: RenderedPromptMode = {
  patches: [],
  why: "test",
  output: { toolCalls: { open: "<call>", close: "</call>", format: "dsml" } },
};
const TOKENS = { bosToken: "<s>", eosToken: "</s>", addsBos: false };
/** A template small enough to read: BOS, each message, call ids and arguments, the generation prompt. */
const TEMPLATE =
  "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% for c in m.tool_calls or [] %}<{{ c.id }}:{{ c.function.arguments.command }}>{% endfor %}{% if m.tool_call_id %}({{ m.tool_call_id }}){% endif %}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}";

const renderer = (mode: RenderedPromptMode = MODE, tokens = TOKENS) => {
  const made = PromptRenderer.create(TEMPLATE, mode, tokens);
  if (typeof made === "string") throw new Error(made);
  return made;
};
const CONVERSATION = [
  { role: "user" as const, content: "hi" },
  {
    role: "assistant" as const,
    content: "",
    tool_calls: [
      { id: "toolu_01abc", type: "function" as const, function: { name: "Bash", arguments: '{"command":"ls"}' } },
    ],
  },
  { role: "tool" as const, tool_call_id: "toolu_01abc", content: "a.txt" },
];
const render = (made: PromptRenderer) =>
  made.render({ messages: CONVERSATION, tools: [], addGenerationPrompt: true, kwargs: {} });

describe("PromptRenderer", () => {
  it("gives the template parsed arguments, as llama-server does", () => {
    expect(render(renderer())).toBe("<s>[user]hi[assistant]<toolu_01abc:ls>[tool]a.txt(toolu_01abc)[assistant]");
  });

  it("cuts its own BOS when the server adds one on tokenizing", () => {
    expect(render(renderer(MODE, { ...TOKENS, addsBos: true }))).toMatch(/^\[user\]/);
  });

  it("renders call ids in the length the template insists on, the same id the same way", () => {
    const prompt = render(renderer({ ...MODE, toolCallIdLength: 9 }));
    const ids = [...prompt.matchAll(/<([^:<>]+):|\(([^)]+)\)/g)].map((match) => match[1] ?? match[2]);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f]{9}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it("applies the family's patches, and refuses a template that lacks one", () => {
    const patched = renderer({ ...MODE, patches: [{ find: "[assistant]{% endif %}", replace: "[model]{% endif %}" }] });
    expect(render(patched)).toMatch(/\[model\]$/);
    expect(PromptRenderer.create(TEMPLATE, { ...MODE, patches: [{ find: "absent", replace: "" }] }, TOKENS)).toMatch(
      /lacks "absent"/,
    );
  });

  it("adds what llama-server adds after the template, only where it does (a generation prompt asked for)", () => {
    const made = renderer({ ...MODE, serverAppends: { whenEndsWith: "(toolu_01abc)[assistant]", text: "<next>" } });
    expect(render(made)).toMatch(/\[assistant\]<next>$/);
    expect(made.render({ messages: CONVERSATION, tools: [], addGenerationPrompt: false, kwargs: {} })).toMatch(
      /\(toolu_01abc\)$/,
    );
  });

  it("takes `upper` of an undefined value as '' (Jinja and llama.cpp do; @huggingface/jinja would raise)", () => {
    const made = PromptRenderer.create("{{ messages[0]['type'] | upper }}!", MODE, TOKENS);
    if (typeof made === "string") throw new Error(made);
    expect(
      made.render({ messages: [{ role: "user", content: "x" }], tools: [], addGenerationPrompt: false, kwargs: {} }),
    ).toBe("!");
  });
});
