import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { toCompletionBody } from "../src/backends/llama-server/to-completion-body.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { createBackend } from "../src/backends/registry/backend-registry.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { ensureTestMmproj, testMmprojImageTokens } from "../src/test-model/test-mmproj.js";
import { freePort } from "../src/util/free-port.js";
import { gatewayInFront } from "./support/gateway-in-front.js";
import { gradientPng } from "./support/gradient-png.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

type Usage = { input_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };

const QUESTION = "What is in this picture?";
const image = {
  type: "image",
  source: { type: "base64", media_type: "image/png", data: gradientPng(8).toString("base64") },
};
const request = (content: unknown[]) => ({
  model: "sonnet",
  max_tokens: 4,
  messages: [{ role: "user", content }],
});

/**
 * A pasted screenshot, through Switchyard, to a real llama-server that takes images (the test model with
 * a tiny vision projector, src/test-model/test-mmproj.ts, whose every image is 16 tokens). On the chat path
 * the server renders the image itself; on a prompt Switchyard renders (Gemma 4's family) the image is the
 * server's media marker in the prompt and its bytes go apart in `multimodal_data`, as the server's chat
 * path would have it (completion-media.ts). Either way the model's prompt holds the image: 16 tokens more
 * than the same words alone. Before, a rendered family got a line of text instead.
 */
describe.each([
  ["the chat path (the model's own template)", undefined],
  ["a prompt Switchyard renders (Gemma 4)", "google-gemma-4-31B-it.jinja"],
] as const)("an image on %s", (_, template) => {
  let server: UserLlamaServer;
  let gateway: RunningSwitchyard;

  beforeAll(async () => {
    const metadata = (await gguf(inject("testModel"), { allowLocalFile: true })).metadata as Record<string, unknown>;
    const mmproj = ensureTestMmproj({ textEmbd: Number(metadata["llama.embedding_length"]) });
    const templateArgs = template
      ? ["--chat-template-file", join(inject("llamaSource"), "models", "templates", template)]
      : [];
    server = await startUserLlamaServer(await freePort(), [
      "--jinja",
      "--mmproj",
      mmproj,
      "--parallel",
      "1",
      "--ctx-size",
      "4096",
      ...templateArgs,
    ]);
    gateway = await gatewayInFront([server.url]);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
  });

  const promptTokens = async (content: unknown[]) => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify(request(content)),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const usage = (JSON.parse(text) as { usage: Usage }).usage;
    return usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
  };

  /**
   * Tokens the prompt gains where the image splits its text: mtmd tokenizes the text before and after a
   * media marker apart (the first part with the BOS), so two tokens the text alone merges across that
   * point count twice. With the test model's vocabulary Gemma 4's `<turn|>` is plain text, and `?<`
   * merges (1); with Qwen3.5's `<|im_end|>`, a special token, nothing does (0).
   */
  const splitTokens = async (content: unknown[]) => {
    const backend = createBackend({ name: "local", type: "llama-server", url: server.url }) as LlamaServerBackend;
    const chatBody = toLlamaServerBody(parseAnthropicRequest(request(content)), "m", await backend.compat());
    await backend.close();
    const post = async (path: string, body: unknown) =>
      (await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) })).json();
    const { prompt } = (await post("/apply-template", chatBody)) as { prompt: string };
    const { media_marker: marker } = (await (await fetch(`${server.url}/props`)).json()) as { media_marker: string };
    const count = async (text: string, bos: boolean) =>
      ((await post("/tokenize", { content: text, add_special: bos, parse_special: true })) as { tokens: unknown[] })
        .tokens.length;
    const [before, after] = prompt.split(marker) as [string, string];
    return (await count(before, true)) + (await count(after, false)) - (await count(before + after, true));
  };

  it("reaches the model: the prompt holds the image's tokens", async () => {
    const words = await promptTokens([{ type: "text", text: QUESTION }]);
    const withImage = await promptTokens([{ type: "text", text: QUESTION }, image]);
    expect(testMmprojImageTokens()).toBe(16);
    const split = await splitTokens([{ type: "text", text: QUESTION }, image]);
    expect(split).toBe(template ? 1 : 0);
    expect(withImage - words).toBe(testMmprojImageTokens() + split);
  });

  it("labels count_tokens an estimate when the prompt holds an image (the marker is counted, not the image)", async () => {
    const count = (content: unknown[]) =>
      fetch(`${gateway.url}/v1/messages/count_tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content }] }),
      });
    const words = await count([{ type: "text", text: QUESTION }]);
    expect(words.headers.get("x-switchyard-token-count")).toBe("exact");
    const withImage = await count([{ type: "text", text: QUESTION }, image]);
    expect(withImage.status).toBe(200);
    expect(withImage.headers.get("x-switchyard-token-count")).toBe("estimate");
  });

  it.runIf(template !== undefined)(
    "is rendered as the server renders it: the same prompt, with the server's own media marker",
    async () => {
      const backend = createBackend({ name: "local", type: "llama-server", url: server.url }) as LlamaServerBackend;
      const compat = await backend.compat(AbortSignal.timeout(30_000));
      const props = (await (await fetch(`${server.url}/props`)).json()) as { media_marker: string };
      expect(compat.rendering).toBeTruthy();
      expect(compat.mediaMarker).toBe(props.media_marker);
      const chatBody = toLlamaServerBody(
        parseAnthropicRequest(request([{ type: "text", text: QUESTION }, image])),
        "m",
        compat,
      );
      if (!compat.rendering) throw new Error("not rendered");
      const mine = toCompletionBody(chatBody, compat.rendering.renderer, compat.mediaMarker);
      const theirs = await fetch(`${server.url}/apply-template`, { method: "POST", body: JSON.stringify(chatBody) });
      expect(mine.prompt).toBe(((await theirs.json()) as { prompt: string }).prompt);
      expect(mine.prompt).toContain(`${QUESTION}${props.media_marker}`);
      expect(mine.body.prompt).toEqual({ prompt_string: mine.prompt, multimodal_data: [image.source.data] });
      await backend.close();
    },
  );
});
