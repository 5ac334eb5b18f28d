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
 * "hold" runs on a third, started with `--ignore-eos`, so an answer lasts long enough to abort mid-way.
 */
const ALIAS = "conformance";

const BASH: ToolDefinition = {
  name: "Bash",
  description: "Runs a shell command.",
  inputSchema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};

/** The arguments every llama-server here starts with, `extra` before the alias. */
const engineArgs = (parallel: number, ...extra: string[]) => [
  "--jinja",
  "--parallel",
  String(parallel),
  "--ctx-size",
  "8192",
  "--no-webui",
  ...extra,
  "--alias",
  ALIAS,
];

/** A second llama-server with one slot, started the first time its scenario is staged. */
async function startSideEngine(
  model: string,
  ...extra: string[]
): Promise<{ engine: EngineSupervisor; backend: LlamaServerBackend }> {
  const engine = await EngineSupervisor.start({ binary: inject("llamaServer"), model, args: engineArgs(1, ...extra) });
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

/** The suite's hold request asks for this many tokens (backend-conformance.ts, "stops the upstream…"). */
const HOLD_MAX_TOKENS = 8000;

/**
 * "hold" runs on a llama-server started with `--ignore-eos`. The test model's fixed reply is 24 tokens,
 * about 80 ms here: on a busy machine it ran to its end before the abort reached the server (CI, 4114bbb).
 * Past its end-of-generation token the net keeps generating, up to the request's max_tokens (~25 s).
 */
const startHoldEngine = () => startSideEngine(inject("testModel"), "--slots", "--metrics", "--ignore-eos");

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
      args: engineArgs(2, "--slots", "--metrics"),
    });
    let proxy: FaultProxy;
    try {
      proxy = await startFaultProxy(engine.url);
    } catch (error) {
      await engine.stop();
      throw error;
    }
    const backend = new LlamaServerBackend({ name: "local", baseUrl: proxy.url });
    let toolCall: Awaited<ReturnType<typeof startSideEngine>> | undefined;
    let hold: Awaited<ReturnType<typeof startSideEngine>> | undefined;
    let staged: "main" | "tool-call" | "hold" = "main";
    let predictedBefore = 0;
    return {
      get backend() {
        if (staged === "tool-call" && toolCall) return toolCall.backend;
        if (staged === "hold" && hold) return hold.backend;
        return backend;
      },
      model: ALIAS,
      liveTokenizer: true,
      async stage(scenario) {
        proxy.cutAfterBytes = Number.POSITIVE_INFINITY;
        staged = scenario === "tool-call" || scenario === "hold" ? scenario : "main";
        switch (scenario) {
          case "text":
          case "thinking":
          case "max-tokens":
          case "cache-hit":
            return {};
          case "tool-call":
            toolCall ??= await startSideEngine(
              await ensureTestModel({ template: "Qwen3.5-4B.jinja", script: "tool-call" }),
            );
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
            hold ??= await startHoldEngine();
            predictedBefore = await tokensPredicted(hold.engine.url);
            return {};
        }
      },
      // Stopped early when it decoded fewer tokens than the request asked for (the hold engine ignores end-of-generation).
      upstreamFinished: async () => {
        if (!hold) throw new Error("upstreamFinished before hold was staged");
        const generated = (await tokensPredicted(hold.engine.url)) - predictedBefore;
        return { complete: generated >= HOLD_MAX_TOKENS };
      },
      async close() {
        await toolCall?.backend.close();
        await toolCall?.engine.stop();
        await hold?.backend.close();
        await hold?.engine.stop();
        await backend.close();
        await proxy.close();
        await engine.stop();
      },
    };
  },
});
