import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EngineSupervisor } from "../engine/engine-supervisor.js";
import { ByteLevelTokenizer } from "./byte-level-tokenizer.js";
import { planChains } from "./chain-plan.js";
import { familyScript, readTemplate } from "./family-script.js";
import { segmentChain } from "./unique-segmentation.js";

async function qwenTokenizer(): Promise<ByteLevelTokenizer> {
  const parsed = await gguf(join(inject("llamaSource"), "models", "ggml-vocab-qwen35.gguf"), {
    allowLocalFile: true,
  });
  const metadata = parsed.metadata as Record<string, unknown>;
  return new ByteLevelTokenizer(
    metadata["tokenizer.ggml.tokens"] as string[],
    metadata["tokenizer.ggml.token_type"] as number[],
    metadata["tokenizer.ggml.merges"] as string[],
  );
}

const TEMPLATES = [
  "Qwen3.5-4B.jinja",
  "GLM-4.7-Flash.jinja",
  "google-gemma-4-31B-it.jinja",
  "openai-gpt-oss-120b.jinja",
  "deepseek-ai-DeepSeek-V3.2.jinja",
];

describe("ByteLevelTokenizer against llama-server's own tokenizer", () => {
  let engine: EngineSupervisor;
  let tokenizer: ByteLevelTokenizer;
  beforeAll(async () => {
    tokenizer = await qwenTokenizer();
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: ["--parallel", "1", "--ctx-size", "4096", "--no-webui"],
    });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it.each(TEMPLATES)(
    "tokenizes the rendered %s conversations (special tokens parsed) as llama-server does",
    async (file) => {
      const texts = familyScript(readTemplate(inject("llamaSource"), file), "tool-call").flatMap((branch) => [
        branch.prompt,
        branch.afterToolPrompt ?? "",
        branch.reply,
      ]);
      texts.push("Hello  world!\n\n\t<|im_end|>x  'll 12345 naïve — 東京 🙂 <|im_start|>");
      for (const text of texts) {
        const response = await fetch(`${engine.url}/tokenize`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ content: text, parse_special: true }),
        });
        const { tokens } = (await response.json()) as { tokens: number[] };
        expect(tokenizer.tokenize(text)).toEqual(tokens);
      }
    },
  );
});

describe("segmentChain", () => {
  let tokenizer: ByteLevelTokenizer;
  beforeAll(async () => {
    tokenizer = await qwenTokenizer();
  });

  it("splits text so the tokens spell it and no context of two tokens leads to two successors", () => {
    const text = "<a>\n<b>\n<c>\n</c>\n</b>\n</a>";
    const source = tokenizer.ids.get("Ċ") as number;
    const end = tokenizer.ids.get("<|im_end|>") as number;
    const table = new Map<string, number>();
    const placed = segmentChain(tokenizer, text, { before: [1, 2], source, end, forbidden: new Set([end]), table });
    const pieces = placed.map(({ id }) => tokenizer.tokens[id]).join("");
    expect(pieces).toBe(text.replaceAll("\n", "Ċ"));
    const path = [1, 2, source, ...placed.map(({ id }) => id), end];
    const seen = new Map<string, number>();
    for (let index = 2; index + 1 < path.length; index++) {
      const key = path.slice(index - 2, index + 1).join(" ");
      expect(seen.get(key) ?? path[index + 1]).toBe(path[index + 1]);
      seen.set(key, path[index + 1] as number);
    }
    expect(table.size).toBe(seen.size);
  });
});

describe("planChains", () => {
  let tokenizer: ByteLevelTokenizer;
  beforeAll(async () => {
    tokenizer = await qwenTokenizer();
  });
  const plan = (template: string) =>
    planChains(tokenizer, template, readTemplate(inject("llamaSource"), template), "tool-call");

  it("scripts a tool call with two context tokens where they can tell every step apart", () => {
    expect(plan("Qwen3.5-4B.jinja").contextDepth).toBe(2);
  });

  it("takes a third for DeepSeek V3.2, whose <｜DSML｜ markers two cannot tell apart, and keeps no context it does not need", () => {
    const deepSeek = plan("deepseek-ai-DeepSeek-V3.2.jinja");
    expect(deepSeek.contextDepth).toBe(3);
    const lengths = new Set(deepSeek.links.map((link) => link.context?.length ?? 0));
    expect([...lengths].sort()).toEqual([0, 2, 3]);
  });
});
