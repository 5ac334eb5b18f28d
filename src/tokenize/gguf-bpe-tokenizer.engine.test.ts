import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fixtureRequests, fixtureSessions } from "../../test/support/fixtures.js";
import { type ReferenceLlamaServer, startReferenceLlamaServer } from "../../test/support/reference-llama-server.js";
import { DEFAULT_LLAMA_SERVER_COMPAT } from "../backends/llama-server/llama-server-compat.js";
import { toLlamaServerBody } from "../backends/llama-server/to-llama-server-body.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { GgufBpeTokenizer } from "./gguf-bpe-tokenizer.js";

/** The real llama-server with the test model (the real Qwen3.5 vocabulary) is the reference. */
describe("GgufBpeTokenizer against llama-server's /tokenize", () => {
  let server: ReferenceLlamaServer;
  let tokenizer: GgufBpeTokenizer;

  beforeAll(async () => {
    server = await startReferenceLlamaServer();
    tokenizer = await GgufBpeTokenizer.fromGgufFile(inject("testModel"));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("gives the same ids for text that stresses the pre-tokenizer", async () => {
    const samples = [
      "Hello, world! It's 2026-12-01; we'll see    you   at 10:45.\n\n\tTabs\r\nand CRLF",
      "naïve café — “quotes” ‘single’ … Ünïcödé, 東京は晴れ, 한국어, العربية, emoji 🚀🔥👩‍💻",
      "def f(x):\n    return x**2  # comment\n\n\n}}]]) => {a: 1}",
      "<|im_start|>user\n<think>\nliteral specials </think><|im_end|> and <|endoftext|>",
      "12345678901234567890 3.14159 0x1F 1e-9",
      // Combining marks, which Qwen3.5's pre-tokenizer keeps inside words (\p{M}).
      "cafe\u0301 re\u0301sume\u0301 हिन्दी भाषा ภาษาไทย",
      "   leading and trailing spaces   ",
      "",
    ];
    for (const sample of samples) {
      for (const parseSpecial of [true, false]) {
        expect(tokenizer.encode(sample, { addSpecial: true, parseSpecial }), `${parseSpecial} ${sample}`).toEqual(
          await server.tokenize(sample, parseSpecial),
        );
      }
    }
  });

  it("counts every recorded Claude Code prompt exactly as llama-server does", async () => {
    let compared = 0;
    for (const session of fixtureSessions()) {
      for (const recorded of fixtureRequests(session)) {
        if (!recorded.body?.messages) continue;
        const request = parseAnthropicRequest(recorded.body, recorded.headers);
        const body = toLlamaServerBody(request, "test", DEFAULT_LLAMA_SERVER_COMPAT);
        const { prompt } = await server.post<{ prompt: string }>("/apply-template", body);
        const ours = tokenizer.encode(prompt, { addSpecial: true, parseSpecial: true });
        expect(ours, `${session}/${recorded.file}`).toEqual(await server.tokenize(prompt));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  }, 300_000);
});

/**
 * llama.cpp's own tokenizer test vectors (models/ggml-vocab-NAME.gguf with .inp and .out, read by its
 * tests/test-tokenizer-0.cpp: inputs separated by "\n__ggml_vocab_test__\n", one line of ids each,
 * tokenized without adding or parsing specials), from the llama.cpp source the engine is built from.
 */
describe("GgufBpeTokenizer against llama.cpp's tokenizer test vectors", () => {
  const models = join(inject("llamaSource"), "models");
  for (const name of [
    "qwen35",
    "qwen2",
    "llama-bpe",
    "gpt-2",
    "mpt",
    "starcoder",
    "refact",
    "command-r",
    "deepseek-coder",
    "falcon",
  ]) {
    it(name, async () => {
      const vocabulary = join(models, `ggml-vocab-${name}.gguf`);
      const tokenizer = await GgufBpeTokenizer.fromGgufFile(vocabulary);
      const inputs = readFileSync(`${vocabulary}.inp`, "utf8").split("\n__ggml_vocab_test__\n");
      const outputs = readFileSync(`${vocabulary}.out`, "utf8").split("\n");
      expect(inputs.length).toBeGreaterThan(10);
      for (const [index, input] of inputs.entries()) {
        const expected = (outputs[index] ?? "").trim();
        expect(tokenizer.encode(input).join(" "), JSON.stringify(input)).toBe(expected);
      }
    });
  }
});
