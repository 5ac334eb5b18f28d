import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { afterAll, describe, expect, inject, it } from "vitest";
import { gradientPng } from "../../test/support/gradient-png.js";
import { EngineSupervisor } from "../engine/engine-supervisor.js";
import { writeTestMmproj } from "./test-mmproj.js";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-test-mmproj-"));

interface ChatCompletion {
  usage: { prompt_tokens: number };
}

describe("writeTestMmproj", () => {
  const engines: EngineSupervisor[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
  });

  it("gives llama-server vision: an image adds one prompt token per patch", async () => {
    const textModel = inject("testModel");
    const textMetadata = (await gguf(textModel, { allowLocalFile: true })).metadata as Record<string, unknown>;
    const textEmbd = Number(textMetadata["llama.embedding_length"]);
    const projector = join(scratch, "mmproj.gguf");
    writeTestMmproj(projector, { textEmbd, seed: 1 });

    const engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: textModel,
      args: ["--mmproj", projector, "--jinja", "--parallel", "1", "--ctx-size", "4096", "--no-webui"],
    });
    engines.push(engine);

    const props = (await (await fetch(`${engine.url}/props`)).json()) as { modalities?: { vision?: boolean } };
    expect(props.modalities?.vision).toBe(true);

    const ask = async (content: unknown) => {
      const response = await fetch(`${engine.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content }], max_tokens: 1 }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      return JSON.parse(text) as ChatCompletion;
    };
    const question = "What is in this picture?";
    const textOnly = await ask([{ type: "text", text: question }]);
    const image = `data:image/png;base64,${gradientPng(8).toString("base64")}`;
    const withImage = await ask([
      { type: "text", text: question },
      { type: "image_url", image_url: { url: image } },
    ]);

    // The image's tokens, from the geometry the file declares. The "mlp" projector's fixed-size
    // preprocessor resizes any image to image_size square (mtmd-image.cpp), the ViT cuts it into
    // (image_size / patch_size)^2 patches with no class token, and clip_n_output_tokens leaves that count
    // as it is for PROJECTOR_TYPE_MLP (no merging, no begin/end tokens): (56 / 14)^2 = 16. The media
    // marker sits right after the text with no separator (common/chat.cpp joins a text part and a media
    // part without a newline), so the text tokens around it do not change.
    const metadata = (await gguf(projector, { allowLocalFile: true })).metadata as Record<string, unknown>;
    const side = Number(metadata["clip.vision.image_size"]) / Number(metadata["clip.vision.patch_size"]);
    const imageTokens = side * side;
    expect(imageTokens).toBe(16);
    expect(withImage.usage.prompt_tokens - textOnly.usage.prompt_tokens).toBe(imageTokens);
  });
});
