import { inject } from "vitest";
import { LlamaServerBackend } from "../../src/backends/llama-server/llama-server-backend.js";
import type { CanonicalRequest, ToolDefinition } from "../../src/core/canonical.js";
import { EngineSupervisor } from "../../src/engine/engine-supervisor.js";
import { ensureTestModel } from "../../src/test-model/test-model-cache.js";
import { type FaultProxy, startFaultProxy } from "../support/fault-proxy.js";
import { describeBackendConformance } from "./backend-conformance.js";

/**
 * The real llama-server with the test model, behind a TCP fault proxy that can cut a response. The
 * default test model never calls tools, so "tool-call" runs on a second llama-server serving the
 * tool-call test model (Qwen3.5 template, docs/design/test-model.md), which calls Bash on any prompt.
 */
const ALIAS = "conformance";

const BASH: ToolDefinition = {
  name: "Bash",
  description: "Runs a shell command.",
  inputSchema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};

/** llama-server with the tool-call test model, started the first time "tool-call" is staged. */
async function startToolCallEngine(): Promise<{ engine: EngineSupervisor; backend: LlamaServerBackend }> {
  const engine = await EngineSupervisor.start({
    binary: inject("llamaServer"),
    model: await ensureTestModel({ template: "Qwen3.5-4B.jinja", script: "tool-call" }),
    args: ["--jinja", "--parallel", "1", "--ctx-size", "8192", "--no-webui", "--alias", ALIAS],
  });
  return { engine, backend: new LlamaServerBackend({ name: "local", baseUrl: engine.url }) };
}

/** Waits until no slot is processing, then returns llama-server's count of tokens generated so far. */
async function tokensPredicted(url: string): Promise<number> {
  for (;;) {
    const response = await fetch(`${url}/slots`, { signal: AbortSignal.timeout(10_000) });
    const states = (await response.json()) as Array<{ is_processing?: boolean }>;
    if (!states.some((slot) => slot.is_processing)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Counted when a slot is released, finished or cancelled (server-context.cpp, callback_on_reset).
  const metrics = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const line = /^llamacpp:tokens_predicted_total (\d+)/m.exec(metrics);
  if (!line?.[1]) throw new Error("llama-server's /metrics has no llamacpp:tokens_predicted_total");
  return Number(line[1]);
}

/** The tokens the answer to "Say hello." takes when nobody aborts it (the test model's fixed reply). */
async function fullAnswerTokens(url: string): Promise<number> {
  const before = await tokensPredicted(url);
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      messages: [{ role: "user", content: "Say hello." }],
      max_tokens: 8000,
      chat_template_kwargs: { enable_thinking: false },
    }),
    signal: AbortSignal.timeout(300_000),
  });
  await response.text();
  return (await tokensPredicted(url)) - before;
}

const overflow = (request: CanonicalRequest): CanonicalRequest => ({
  ...request,
  messages: [
    { role: "user", parts: [{ type: "text", text: Array.from({ length: 6000 }, (_, i) => `w${i}`).join(" ") }] },
  ],
});

describeBackendConformance({
  name: "llama-server (live, test model)",
  kind: "llama-server",
  expectedModels: [ALIAS],
  async start() {
    const engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: [
        "--jinja",
        "--parallel",
        "2",
        "--ctx-size",
        "8192",
        "--no-webui",
        "--slots",
        "--metrics",
        "--alias",
        ALIAS,
      ],
    });
    let proxy: FaultProxy;
    try {
      proxy = await startFaultProxy(engine.url);
    } catch (error) {
      await engine.stop();
      throw error;
    }
    const backend = new LlamaServerBackend({ name: "local", baseUrl: proxy.url });
    let toolCall: Awaited<ReturnType<typeof startToolCallEngine>> | undefined;
    let scripted = false;
    let fullTokens = Number.POSITIVE_INFINITY;
    let predictedBefore = 0;
    return {
      get backend() {
        return scripted && toolCall ? toolCall.backend : backend;
      },
      model: ALIAS,
      liveTokenizer: true,
      async stage(scenario) {
        proxy.cutAfterBytes = Number.POSITIVE_INFINITY;
        scripted = scenario === "tool-call";
        switch (scenario) {
          case "text":
          case "thinking":
          case "max-tokens":
          case "cache-hit":
            return {};
          case "tool-call":
            toolCall ??= await startToolCallEngine();
            return { request: (request) => ({ ...request, tools: [...request.tools, BASH] }) };
          case "cache-unreported":
            return undefined;
          case "http-error":
            return { request: overflow, errorKind: "invalid_request" };
          case "cut":
            // Past the headers and the first few chunks (each a few hundred bytes with timings).
            proxy.cutAfterBytes = 1500;
            return {};
          case "hold":
            // The suite's hold request is "Say hello." without thinking: measure it unaborted first.
            fullTokens = await fullAnswerTokens(engine.url);
            predictedBefore = await tokensPredicted(engine.url);
            return {};
        }
      },
      // Stopped early when it decoded fewer tokens than the same answer takes when nobody aborts it.
      upstreamFinished: async () => {
        const generated = (await tokensPredicted(engine.url)) - predictedBefore;
        return { complete: generated >= fullTokens };
      },
      async close() {
        await toolCall?.backend.close();
        await toolCall?.engine.stop();
        await backend.close();
        await proxy.close();
        await engine.stop();
      },
    };
  },
});
