import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { afterAll, describe, expect, inject, it } from "vitest";
import { EngineSupervisor } from "../engine/engine-supervisor.js";
import { writeTestModel } from "./test-model.js";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-test-model-"));
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("writeTestModel", () => {
  const engines: EngineSupervisor[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const llamaSource = inject("llamaSource");
    const [a, b, c] = ["a", "b", "c"].map((name) => join(scratch, `${name}.gguf`)) as [string, string, string];
    await writeTestModel({ llamaSource, outputPath: a, seed: 7 });
    await writeTestModel({ llamaSource, outputPath: b, seed: 7 });
    await writeTestModel({ llamaSource, outputPath: c, seed: 8 });
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).not.toBe(sha256(c));
  });

  it("carries the real Qwen3.5 vocabulary and the real chat template", async () => {
    const llamaSource = inject("llamaSource");
    const path = join(scratch, "coder.gguf");
    await writeTestModel({ llamaSource, outputPath: path, template: "qwen3-coder" });
    const model = await gguf(path, { allowLocalFile: true });
    const vocabulary = await gguf(join(llamaSource, "models", "ggml-vocab-qwen35.gguf"), { allowLocalFile: true });
    const metadata = model.metadata as Record<string, unknown>;
    const tokens = (vocabulary.metadata as Record<string, unknown>)["tokenizer.ggml.tokens"] as string[];
    expect(metadata["tokenizer.ggml.pre"]).toBe("qwen35");
    expect(metadata["tokenizer.ggml.tokens"]).toEqual(tokens);
    expect(metadata["tokenizer.chat_template"]).toBe(
      readFileSync(join(llamaSource, "models", "templates", "Qwen3-Coder.jinja"), "utf8"),
    );
    const embedding = model.tensorInfos.find((info) => info.name === "token_embd.weight");
    expect(embedding?.shape.map(Number)).toEqual([64, tokens.length]);
  });

  it("serves through llama-server with the qwen3-coder template: a short answer, no reasoning", async () => {
    const engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: join(scratch, "coder.gguf"),
      args: ["--jinja", "--parallel", "1", "--ctx-size", "4096", "--no-webui"],
    });
    engines.push(engine);
    const response = await fetch(`${engine.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hello" }], max_tokens: 100 }),
    });
    const body = (await response.json()) as {
      choices: Array<{ finish_reason: string; message: { content: string; reasoning_content?: string } }>;
    };
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.choices[0]?.message.content).toMatch(/test net/);
    expect(body.choices[0]?.message.reasoning_content ?? "").toBe("");
  });
});

describe("the unscripted test model", () => {
  const engines: EngineSupervisor[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
  });

  // The templates bench:cache's launched kind needs it for: no script can be planned for them.
  it.each([
    "Kimi-K2-Thinking.jinja",
    "NVIDIA-Nemotron-Nano-v2.jinja",
    "ibm-granite-granite-4.0.jinja",
    "LFM2.5-Instruct.jinja",
  ])("carries %s byte for byte, and llama-server loads it and babbles to the limit", async (file) => {
    const llamaSource = inject("llamaSource");
    const path = join(scratch, `unscripted-${file}.gguf`);
    await writeTestModel({ llamaSource, outputPath: path, template: file, script: "unscripted" });
    const stock = readFileSync(join(llamaSource, "models", "templates", file));
    const metadata = (await gguf(path, { allowLocalFile: true })).metadata as Record<string, unknown>;
    expect(Buffer.from(metadata["tokenizer.chat_template"] as string, "utf8").equals(stock)).toBe(true);

    const engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: path,
      args: ["--jinja", "--parallel", "1", "--ctx-size", "4096", "--no-webui"],
    });
    engines.push(engine);
    const props = (await (await fetch(`${engine.url}/props`)).json()) as { chat_template: string };
    // It serves the template it read from the file (llama-server drops a trailing newline).
    expect(props.chat_template).toBe(stock.toString("utf8").trimEnd());
    const response = await fetch(`${engine.url}/completion`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "hello", n_predict: 16, temperature: 0 }),
    });
    const body = (await response.json()) as { content: string; tokens_predicted: number; stop_type: string };
    expect(body).toMatchObject({ tokens_predicted: 16, stop_type: "limit" });
    // Random tokens, not the closing pieces the scripted models' bias favours under a grammar.
    expect(body.content.replace(/["}\]]/g, "")).not.toBe("");
    await engine.stop();
  });
});
