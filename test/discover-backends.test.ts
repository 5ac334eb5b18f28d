import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLocalServer, identifyServer } from "../src/backends/registry/identify-server.js";
import { configSchema } from "../src/config/config-schema.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import { startOllamaProtocolServer } from "./support/ollama-protocol-server.js";
import {
  DOCUMENTED_MODELS_LIST,
  type OpenAIProtocolServer,
  startOpenAIProtocolServer,
} from "./support/openai-protocol-server.js";
import { SGLANG_MODELS_LIST, startSglangProtocolServer } from "./support/sglang-protocol-server.js";
import { startVllmProtocolServer, VLLM_MODELS_LIST } from "./support/vllm-protocol-server.js";

/** Servers that answer only their models list, as vLLM and SGLang do at `/v1/models`; `/props` is a 404. */
const modelsOnly = (list: unknown) => (request: { path: string }) =>
  request.path === "/v1/models" ? { status: 200, json: list } : { status: 404, json: { detail: "Not Found" } };

describe("recognising vLLM and SGLang", () => {
  let vllm: OpenAIProtocolServer;
  let sglang: OpenAIProtocolServer;
  beforeAll(async () => {
    vllm = await startVllmProtocolServer({ script: modelsOnly(VLLM_MODELS_LIST) });
    sglang = await startSglangProtocolServer({ script: modelsOnly(SGLANG_MODELS_LIST) });
  });
  afterAll(async () => {
    await vllm?.close();
    await sglang?.close();
  });

  it("by the owner in their models list, at the root or at /v1", async () => {
    expect(await identifyServer(vllm.url)).toBe("vllm");
    expect(await identifyServer(`${vllm.url}/v1`)).toBe("vllm");
    expect(await identifyServer(`${sglang.url}/`)).toBe("sglang");
  });

  it("and not an OpenAI-compatible server owned by someone else, which is one of the generic kind", async () => {
    const other = await startVllmProtocolServer({ script: modelsOnly(DOCUMENTED_MODELS_LIST) });
    try {
      expect(await identifyServer(other.url)).toBe("openai-compatible");
    } finally {
      await other.close();
    }
  });

  it("serve --backend URL makes each a local backend of its kind", async () => {
    const running = await startSwitchyard({
      config: configSchema.parse({
        telemetry: { turnsFile: join(mkdtempSync(join(tmpdir(), "switchyard-turns-")), "turns.jsonl") },
      }),
      backendUrls: [vllm.url, `${sglang.url}/v1`],
      port: 0,
      probeLocal: false,
    });
    try {
      expect(running.backends.map((backend) => [backend.kind, backend.local, backend.baseUrl])).toEqual([
        ["vllm", true, `${vllm.url}/v1`],
        ["sglang", true, `${sglang.url}/v1`],
      ]);
      expect(running.router.modelNames()).toEqual([VLLM_MODELS_LIST.data[0].id, SGLANG_MODELS_LIST.data[0].id]);
    } finally {
      await running.close();
    }
  });

  it("a server found on a well-known URL is named local whatever its kind, as the launched engine is", async () => {
    const ollama = await startOllamaProtocolServer();
    try {
      // Port 9 (discard) refuses the connection: nothing there, so the next URL is asked.
      expect(await findLocalServer(["http://127.0.0.1:9", ollama.url, vllm.url])).toEqual({
        name: "local",
        type: "ollama",
        url: ollama.url,
      });
      expect(await findLocalServer([vllm.url])).toEqual({ name: "local", type: "vllm", url: vllm.url });
      expect(await findLocalServer([sglang.url])).toEqual({ name: "local", type: "sglang", url: sglang.url });
      expect(await findLocalServer(["http://127.0.0.1:9"])).toBeUndefined();
    } finally {
      await ollama.close();
    }
  });
});

/**
 * Another OpenAI-compatible server on this machine (LM Studio, llamafile, llama-swap, LocalAI, mlx-lm):
 * it lists models as OpenAI's API reference does, with an owner that is none of the known kinds'.
 * Before, `serve --backend` refused it ("nothing there answered as …").
 */
describe("recognising another OpenAI-compatible server on this machine", () => {
  let server: OpenAIProtocolServer;
  beforeAll(async () => {
    server = await startOpenAIProtocolServer({
      script: (request) =>
        request.path === "/v1/models"
          ? { status: 200, json: DOCUMENTED_MODELS_LIST }
          : request.path === "/v1/chat/completions"
            ? { status: 200, sse: "text-stream" }
            : { status: 404, json: { error: { message: "Unexpected endpoint" } } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serve --backend URL (with or without /v1) makes it a local backend of the generic kind, and it answers", async () => {
    const running = await startSwitchyard({
      config: configSchema.parse({
        telemetry: { turnsFile: join(mkdtempSync(join(tmpdir(), "switchyard-turns-")), "turns.jsonl") },
      }),
      backendUrls: [`${server.url}/v1`],
      port: 0,
      probeLocal: false,
    });
    try {
      expect(running.backends.map((backend) => [backend.kind, backend.local, backend.baseUrl])).toEqual([
        ["openai-compatible", true, `${server.url}/v1`],
      ]);
      expect(await findLocalServer([server.url])).toEqual({
        name: "local",
        type: "openai-compatible",
        url: `${server.url}/v1`,
        local: true,
      });
      const response = await fetch(`${running.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "model-id-1", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      const answer = (await response.json()) as { content: Array<{ type: string }> };
      expect(answer.content[0]?.type).toBe("text");
      const chat = server.requests.find((request) => request.path === "/v1/chat/completions");
      expect((chat?.body as { model?: string } | undefined)?.model).toBe("model-id-1");
    } finally {
      await running.close();
    }
  });
});
