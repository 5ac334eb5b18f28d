import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identifyServer } from "../src/backends/discover-backends.js";
import { configSchema } from "../src/config/config-schema.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import { DOCUMENTED_MODELS_LIST, type OpenAIProtocolServer } from "./support/openai-protocol-server.js";
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

  it("and not an OpenAI-compatible server owned by someone else", async () => {
    const other = await startVllmProtocolServer({ script: modelsOnly(DOCUMENTED_MODELS_LIST) });
    try {
      expect(await identifyServer(other.url)).toBeUndefined();
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
});
