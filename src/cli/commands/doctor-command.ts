import type { Command } from "commander";
import { keyOf, serverRoot } from "../../backends/registry/backend-kind.js";
import { identifyServer, WELL_KNOWN_LOCAL_URLS, withScheme } from "../../backends/registry/identify-server.js";
import { DEFAULT_PORT } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { type Finding, formatFindings } from "../../doctor/doctor-findings.js";
import { inspectClaudeCodeEnv } from "../../doctor/inspect-claude-code-env.js";
import { inspectLlamaServer } from "../../doctor/inspect-llama-server.js";
import { inspectTemplateServer } from "../../doctor/inspect-template-server.js";

/** The servers doctor knows how to inspect. */
type InspectedKind = "llama-server" | "vllm" | "sglang";
type Target = { url: string; kind: InspectedKind };
const inspectedKind = (kind: string | undefined): InspectedKind | undefined =>
  kind === "llama-server" || kind === "vllm" || kind === "sglang" ? kind : undefined;

interface Info {
  contextWindow?: number;
  backends?: Array<{ name: string; kind: string; url?: string }>;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("inspect a llama-server, vLLM or SGLang and the Claude Code environment; say what to change")
    .option(
      "--backend <url>",
      "the server to inspect (default: those behind a running Switchyard, else the first on a usual port)",
    )
    .option("--url <url>", "the Switchyard Claude Code should use", `http://127.0.0.1:${DEFAULT_PORT}`)
    .option("--model <name>", "in llama-server's router mode, the model to inspect (default: the first it lists)")
    .action(async (options: { backend?: string; url: string; model?: string }) => {
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const apiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
      const info = (await fetch(`${options.url}/v1/switchyard/info`, {
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(2000),
      })
        .then((response) => (response.ok ? response.json() : undefined))
        .catch(() => undefined)) as Info | undefined;
      // A server's key: its config entry's (the same URL), else for vLLM the variable vLLM itself reads.
      const keyFor = (url: string, kind: "vllm" | "sglang") => {
        const entry = config.backends.find(
          (backend) => backend.type === kind && serverRoot(backend.url) === serverRoot(url),
        ) as { apiKey?: string; apiKeyEnv?: string } | undefined;
        return keyOf(entry ?? {}, kind === "vllm" ? "VLLM_API_KEY" : undefined);
      };
      const targets: Target[] = [];
      if (options.backend) {
        const url = withScheme(options.backend);
        // A vLLM started with --api-key lists its models only to a caller with the key vLLM reads.
        const vllmKey = process.env.VLLM_API_KEY || undefined;
        const kind = (await identifyServer(url)) ?? (vllmKey ? await identifyServer(url, vllmKey) : undefined);
        targets.push({ url, kind: inspectedKind(kind) ?? "llama-server" });
      } else {
        for (const backend of info?.backends ?? []) {
          const kind = inspectedKind(backend.kind);
          if (kind && backend.url) targets.push({ url: backend.url, kind });
        }
      }
      if (targets.length === 0) {
        for (const url of WELL_KNOWN_LOCAL_URLS) {
          const kind = inspectedKind(await identifyServer(url));
          if (kind) {
            targets.push({ url, kind });
            break;
          }
        }
      }
      const sections: Array<[string, Finding[]]> = [];
      for (const { url, kind } of targets) {
        sections.push(
          kind === "llama-server"
            ? [`llama-server at ${url}`, await inspectLlamaServer(url, options.model)]
            : [
                `${kind === "vllm" ? "vLLM" : "SGLang"} at ${url}`,
                await inspectTemplateServer(url, kind, keyFor(url, kind)),
              ],
        );
      }
      if (targets.length === 0)
        sections.push([
          "local server",
          [
            {
              level: "fail",
              check: "found",
              detail:
                "none given, none behind Switchyard, none on the usual ports (llama-server 8080, 9931; vLLM 8000; SGLang 30000)",
              fix: "start one (npx switchyard serve) or pass --backend URL",
            },
          ],
        ]);
      sections.push([
        `Claude Code environment${info ? "" : ` (no Switchyard answered at ${options.url})`}`,
        inspectClaudeCodeEnv(options.url, info?.contextWindow),
      ]);
      console.log(sections.map(([title, findings]) => formatFindings(title, findings)).join("\n\n"));
      process.exitCode = sections.some(([, findings]) => findings.some((finding) => finding.level === "fail")) ? 1 : 0;
    });
}
