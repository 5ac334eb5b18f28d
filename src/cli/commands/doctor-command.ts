import type { Command } from "commander";
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
      const targets: Target[] = [];
      if (options.backend) {
        const url = withScheme(options.backend);
        targets.push({ url, kind: inspectedKind(await identifyServer(url)) ?? "llama-server" });
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
            : [`${kind === "vllm" ? "vLLM" : "SGLang"} at ${url}`, await inspectTemplateServer(url, kind)],
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
