import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_LLAMA_SERVER_COMPAT } from "../src/backends/llama-server/llama-server-compat.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { OllamaBackend } from "../src/backends/ollama/ollama-backend.js";
import type { CanonicalRequest } from "../src/core/canonical.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { fixtureRequests } from "./support/fixtures.js";
import {
  DOCUMENTED_SHOW,
  type OllamaProtocolServer,
  type OllamaScriptedResponse,
  startOllamaProtocolServer,
} from "./support/ollama-protocol-server.js";
import { type ReferenceLlamaServer, startReferenceLlamaServer } from "./support/reference-llama-server.js";

/**
 * Exact count_tokens on Ollama: Ollama renders the prompt (`_debug_render_only`), Switchyard counts it
 * with the model's GGUF vocabulary. Ollama cannot run here, so the loopback server stands in for it:
 * its /api/show is the documented answer with `FROM` pointing at the test model (the real Qwen3.5
 * vocabulary), and its render-only answer has the shape of server/routes.go ChatHandler
 * (`_debug_info.rendered_template`) with a prompt that the real llama-server rendered. The reference
 * count is the real llama-server's /tokenize of that same prompt.
 */
describe("exact count_tokens on Ollama", () => {
  let server: ReferenceLlamaServer;
  let ollama: OllamaProtocolServer;
  let rendered = "";
  let chatAnswer: () => OllamaScriptedResponse;
  const modelfile = (from: string) => DOCUMENTED_SHOW.modelfile.replace(/^FROM .*$/m, `FROM ${from}`);
  const request = (): CanonicalRequest => {
    const recorded = fixtureRequests("basic-session").filter((entry) => entry.body?.tools)[2];
    if (!recorded?.body) throw new Error("fixture missing");
    return parseAnthropicRequest(recorded.body, recorded.headers);
  };
  beforeAll(async () => {
    server = await startReferenceLlamaServer();
    const body = toLlamaServerBody(request(), "test", DEFAULT_LLAMA_SERVER_COMPAT);
    rendered = (await server.post<{ prompt: string }>("/apply-template", body)).prompt;
    ollama = await startOllamaProtocolServer({
      script: (sent) => {
        const model = (sent.body as { model?: string } | undefined)?.model ?? "";
        if (sent.path === "/api/show") {
          const from = model === "unreadable" ? "/Users/matt/.ollama/models/blobs/sha256:2007" : inject("testModel");
          return { status: 200, json: { ...DOCUMENTED_SHOW, modelfile: modelfile(from) } };
        }
        return sent.path === "/api/chat" ? chatAnswer() : undefined;
      },
    });
  }, 120_000);
  afterAll(async () => {
    await ollama?.close();
    await server?.stop();
  });

  const renderOnly: () => OllamaScriptedResponse = () => ({
    status: 200,
    json: {
      model: "qwen3.5",
      created_at: "2026-12-01T19:00:00Z",
      message: { role: "assistant", content: "" },
      done: false,
      _debug_info: { rendered_template: rendered, image_count: 0 },
    },
  });

  it("counts Ollama's rendered prompt with the model's vocabulary, as the real tokenizer does", async () => {
    chatAnswer = renderOnly;
    const backend = new OllamaBackend({ name: "ollama", baseUrl: ollama.url, numCtx: 32768 });
    try {
      const count = await backend.countTokens(request(), { model: "qwen3.5", signal: AbortSignal.timeout(30_000) });
      const reference = await server.tokenize(rendered);
      expect(count).toEqual({ tokens: reference.length, exact: true });
      expect(reference.length).toBeGreaterThan(1000);
      const sent = ollama.requests.at(-1)?.body as Record<string, unknown>;
      expect(sent).toMatchObject({ _debug_render_only: true, stream: false, options: { num_ctx: 32768 } });
    } finally {
      await backend.close();
    }
  });

  it("estimates, labelled, when the model file is not readable here, without asking Ollama to render", async () => {
    chatAnswer = renderOnly;
    const backend = new OllamaBackend({ name: "ollama", baseUrl: ollama.url });
    try {
      const before = ollama.requests.length;
      const count = await backend.countTokens(request(), { model: "unreadable", signal: AbortSignal.timeout(30_000) });
      expect(count.exact).toBe(false);
      expect(ollama.requests.slice(before).map((sent) => sent.path)).toEqual(["/api/show"]);
    } finally {
      await backend.close();
    }
  });

  it("falls back to the estimate, and stops asking, when Ollama does not know render-only", async () => {
    chatAnswer = () => ({ status: 200, ndjson: "chat-history-tools" });
    const backend = new OllamaBackend({ name: "ollama", baseUrl: ollama.url });
    try {
      const options = { model: "qwen3.5", signal: AbortSignal.timeout(30_000) };
      expect((await backend.countTokens(request(), options)).exact).toBe(false);
      const chats = ollama.requests.filter((sent) => sent.path === "/api/chat").length;
      expect((await backend.countTokens(request(), options)).exact).toBe(false);
      expect(ollama.requests.filter((sent) => sent.path === "/api/chat").length).toBe(chats);
    } finally {
      await backend.close();
    }
  });
});
