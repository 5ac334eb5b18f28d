import type { OpenAICompatibleBackend } from "../backends/openai-compatible/openai-compatible-backend.js";
import { readsToolCalls, refusesToolCalls, sglangServerInfo } from "../backends/openai-compatible/tool-parser.js";
import { serverRoot } from "../backends/registry/backend-kind.js";
import { createBackend } from "../backends/registry/backend-registry.js";
import type { Finding } from "./doctor-findings.js";
import { CLAUDE_CODE_MIN_CONTEXT } from "./inspect-llama-server.js";

const PROBE_TOOL = {
  type: "function",
  function: {
    name: "switchyard_doctor_probe",
    description: "Lists files.",
    parameters: { type: "object", properties: { path: { type: "string" } } },
  },
};

/** The flags each server takes for what doctor looks at. */
const FLAGS = {
  vllm: {
    context: "--max-model-len",
    tools:
      "--enable-auto-tool-choice --tool-call-parser NAME (the parser of the model's family: vLLM's tool-calling docs list them, e.g. hermes for Qwen2.5 and Qwen3)",
    reuse: "--enable-prompt-tokens-details",
  },
  sglang: {
    context: "--context-length",
    tools:
      "--tool-call-parser NAME (the parser of the model's family: SGLang's tool-parser docs list them, e.g. qwen25 for Qwen2.5 and Qwen3)",
    reuse: "--enable-cache-report",
  },
} as const;

type Answer = { status: number; body: unknown; text: string };

/**
 * What Switchyard needs of a vLLM or SGLang and whether this one has it: the model and its context, whether
 * it reads tool calls (else Switchyard sends tools as text, tool-parser.ts), whether it reports the prefix it
 * reused. vLLM says neither of the last two but by answering: doctor sends it two chats of one token each
 * (one with a tool). SGLang's server arguments say both (`GET /server_info`).
 */
export async function inspectTemplateServer(url: string, kind: "vllm" | "sglang", apiKey?: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const flags = FLAGS[kind];
  const backend = createBackend({ name: "doctor", type: kind, url, ...(apiKey ? { apiKey } : {}) });
  const root = serverRoot(url);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };
  const ask = async (method: "GET" | "POST", path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${root}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  };
  try {
    let model: string;
    try {
      const models = await backend.listModels(AbortSignal.timeout(10_000));
      if (models.length === 0) throw new Error("it lists no model");
      model = models[0] as string;
    } catch (error) {
      findings.push({
        level: "fail",
        check: "reachable",
        detail: (error as Error).message,
        fix: `start the ${kind === "vllm" ? "vLLM" : "SGLang"} server, or pass --backend with its URL`,
      });
      return findings;
    }
    const context = await (backend as OpenAICompatibleBackend).contextSize();
    findings.push({ level: "ok", check: "reachable", detail: `serves ${model}` });
    if (context !== undefined) {
      const enough = context >= CLAUDE_CODE_MIN_CONTEXT;
      findings.push({
        level: enough ? "ok" : "warn",
        check: "context",
        detail: `${context} tokens${enough ? "" : `: under the ${CLAUDE_CODE_MIN_CONTEXT} Claude Code's system prompt and tools need with room for a turn`}`,
        ...(enough ? {} : { fix: `give the model a longer context: ${flags.context} 65536` }),
      });
    }

    const chat = (extra: Record<string, unknown>) =>
      ask("POST", "/v1/chat/completions", {
        model,
        messages: [{ role: "user", content: "Doctor probe." }],
        max_tokens: 1,
        ...extra,
      });
    let readsCalls: boolean | undefined;
    let reuseReported: boolean | undefined;
    if (kind === "sglang") {
      const info = await sglangServerInfo((path) => ask("GET", path)).catch(() => undefined);
      readsCalls = readsToolCalls(info);
      const report = (info as { enable_cache_report?: unknown } | undefined)?.enable_cache_report;
      reuseReported = typeof report === "boolean" ? report : undefined;
    } else {
      const withTool = await chat({ tools: [PROBE_TOOL] });
      readsCalls = withTool.status === 200 ? true : refusesToolCalls(withTool.text) ? false : undefined;
      const answered = withTool.status === 200 ? withTool : await chat({});
      const usage = (answered.body as { usage?: { prompt_tokens_details?: unknown } } | undefined)?.usage;
      if (answered.status === 200 && usage) reuseReported = usage.prompt_tokens_details != null;
    }
    findings.push(
      readsCalls === undefined
        ? { level: "info", check: "tool calls", detail: "the server did not say whether it reads tool calls" }
        : readsCalls
          ? { level: "ok", check: "tool calls", detail: "the server reads the model's tool calls" }
          : {
              level: "warn",
              check: "tool calls",
              detail:
                "the server reads no tool calls: Switchyard sends the tools, calls and results as text and reads the calls back, which a model follows less well than its own format",
              fix: `restart the server with ${flags.tools}`,
            },
    );
    if (reuseReported !== undefined) {
      findings.push(
        reuseReported
          ? { level: "ok", check: "cache reuse", detail: "reported on every answer" }
          : {
              level: "warn",
              check: "cache reuse",
              detail: "not reported: turn records show the reused prefix as unknown",
              fix: `restart the server with ${flags.reuse}`,
            },
      );
    }
    return findings;
  } finally {
    await backend.close();
  }
}
