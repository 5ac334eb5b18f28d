import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import type { OpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { startVllmProtocolServer, VLLM_MODELS_LIST, vllmChatAnswer } from "./support/vllm-protocol-server.js";

/**
 * `switchyard doctor --backend URL` on a vLLM started as most first start it (no tool parser, no prefix
 * report; the loopback vLLM, which refuses tools as vLLM does): it is recognised as vLLM, and doctor says
 * which flags to add, with a zero exit (Switchyard serves it either way).
 */
describe("switchyard doctor on a vLLM", () => {
  let vllm: OpenAIProtocolServer;
  beforeAll(async () => {
    vllm = await startVllmProtocolServer({
      toolParser: false,
      script: (request) => {
        if (request.path === "/v1/models") return { status: 200, json: VLLM_MODELS_LIST };
        return request.path === "/v1/chat/completions"
          ? vllmChatAnswer()
          : { status: 404, json: { detail: "Not Found" } };
      },
    });
  });
  afterAll(async () => {
    await vllm?.close();
  });

  it("recognises it and says to start it with a tool parser and the prefix report", async () => {
    // No Switchyard listens at --url: the Claude Code section says so, and only the given server is inspected.
    const result = await runCli(["doctor", "--backend", vllm.url, "--url", "http://127.0.0.1:1"]);
    expect(result.stdout).toContain(`vLLM at ${vllm.url}`);
    expect(result.stdout).toMatch(/\[ok {2}\] reachable: serves Qwen\/Qwen3-8B/);
    expect(result.stdout).toMatch(/\[WARN\] tool calls: the server reads no tool calls/);
    expect(result.stdout).toContain("restart the server with --enable-auto-tool-choice --tool-call-parser NAME");
    expect(result.stdout).toContain("restart the server with --enable-prompt-tokens-details");
    expect(result.stdout).not.toContain("llama-server at");
  });

  it("sends a vLLM started with --api-key the key vLLM reads from VLLM_API_KEY", async () => {
    // vLLM's AuthenticationMiddleware (vllm/entrypoints/openai/server_utils.py): a path under /v1 without the
    // bearer gets 401 {"error": "Unauthorized"}; other paths (/health, /tokenize) are not checked.
    const keyed = await startVllmProtocolServer({
      toolParser: false,
      script: (request) => {
        if (request.path.startsWith("/v1") && request.headers.authorization !== "Bearer vllm-key")
          return { status: 401, json: { error: "Unauthorized" } };
        if (request.path === "/v1/models") return { status: 200, json: VLLM_MODELS_LIST };
        return request.path === "/v1/chat/completions"
          ? vllmChatAnswer()
          : { status: 404, json: { detail: "Not Found" } };
      },
    });
    try {
      const args = ["doctor", "--backend", keyed.url, "--url", "http://127.0.0.1:1"];
      const without = await runCli(args, { VLLM_API_KEY: "" });
      expect(without.stdout).toMatch(/\[FAIL\] reachable:/);
      const withKey = await runCli(args, { VLLM_API_KEY: "vllm-key" });
      expect(withKey.stdout).toMatch(/\[ok {2}\] reachable: serves Qwen\/Qwen3-8B/);
      expect(withKey.stdout).toMatch(/\[WARN\] tool calls: the server reads no tool calls/);
    } finally {
      await keyed.close();
    }
  });
});
