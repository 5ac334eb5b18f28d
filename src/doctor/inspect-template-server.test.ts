import { afterEach, describe, expect, it } from "vitest";
import type { OpenAIProtocolServer } from "../../test/support/openai-protocol-server.js";
import { SGLANG_MODELS_LIST, startSglangProtocolServer } from "../../test/support/sglang-protocol-server.js";
import { startVllmProtocolServer, VLLM_MODELS_LIST, vllmChatAnswer } from "../../test/support/vllm-protocol-server.js";
import { inspectTemplateServer } from "./inspect-template-server.js";

/**
 * doctor on a vLLM and an SGLang (the loopback servers: vLLM refuses tools without its parser as vLLM
 * words it; SGLang's /server_info gives its arguments), each started as most first start it and as it
 * should be started for a coding agent.
 */
describe("inspectTemplateServer", () => {
  const servers: OpenAIProtocolServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  const levels = (findings: Awaited<ReturnType<typeof inspectTemplateServer>>) =>
    Object.fromEntries(findings.map((finding) => [finding.check, finding.level]));

  it.each([
    [false, undefined, "warn"],
    [true, 0, "ok"],
  ] as const)("vLLM with a tool parser %s: asks it, and says which flags to add", async (parser, cached, level) => {
    const vllm = await startVllmProtocolServer({
      toolParser: parser,
      script: (request) =>
        request.path === "/v1/models" ? { status: 200, json: VLLM_MODELS_LIST } : vllmChatAnswer(cached),
    });
    servers.push(vllm);
    const findings = await inspectTemplateServer(vllm.url, "vllm");
    expect(levels(findings)).toEqual({ reachable: "ok", context: "ok", "tool calls": level, "cache reuse": level });
    const fixes = findings.flatMap((finding) => (finding.fix ? [finding.fix] : [])).join("\n");
    if (level === "warn") {
      expect(fixes).toContain("--enable-auto-tool-choice --tool-call-parser NAME");
      expect(fixes).toContain("--enable-prompt-tokens-details");
    } else expect(fixes).toBe("");
    const chats = vllm.requests.filter((request) => request.path === "/v1/chat/completions");
    expect((chats[0]?.body as { max_tokens?: number } | undefined)?.max_tokens).toBe(1);
  });

  it.each([
    [null, false, "warn"],
    ["qwen25", true, "ok"],
  ] as const)(
    "SGLang with tool_call_parser %s: reads its arguments, generates nothing",
    async (parser, report, level) => {
      const sglang = await startSglangProtocolServer({
        toolCallParser: parser,
        cacheReport: report,
        script: (request) =>
          request.path === "/v1/models" ? { status: 200, json: SGLANG_MODELS_LIST } : { status: 404, json: {} },
      });
      servers.push(sglang);
      const findings = await inspectTemplateServer(sglang.url, "sglang");
      expect(levels(findings)).toEqual({ reachable: "ok", context: "ok", "tool calls": level, "cache reuse": level });
      if (level === "warn")
        expect(findings.map((finding) => finding.fix).join("\n")).toContain("--tool-call-parser NAME");
      expect(sglang.requests.some((request) => request.path === "/v1/chat/completions")).toBe(false);
    },
  );

  it("fails with what to do when nothing answers", async () => {
    const findings = await inspectTemplateServer("http://127.0.0.1:1", "vllm");
    expect(findings).toEqual([expect.objectContaining({ level: "fail", check: "reachable" })]);
  });
});
