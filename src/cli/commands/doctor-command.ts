import type { Command } from "commander";
import { identifyServer, WELL_KNOWN_LOCAL_URLS, withScheme } from "../../backends/registry/identify-server.js";
import { DEFAULT_PORT } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { type Finding, formatFindings } from "../../doctor/doctor-findings.js";
import { inspectClaudeCodeEnv } from "../../doctor/inspect-claude-code-env.js";
import { inspectLlamaServer } from "../../doctor/inspect-llama-server.js";

interface Info {
  contextWindow?: number;
  backends?: Array<{ name: string; kind: string; url?: string }>;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("inspect a llama-server and the Claude Code environment; say what to change")
    .option("--backend <url>", "the llama-server to inspect (default: behind a running Switchyard, else 8080/9931)")
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
      let target =
        (options.backend && withScheme(options.backend)) ??
        info?.backends?.find((backend) => backend.kind === "llama-server")?.url;
      if (!target) {
        for (const url of WELL_KNOWN_LOCAL_URLS) {
          if ((await identifyServer(url)) === "llama-server") {
            target = url;
            break;
          }
        }
      }
      const sections: Array<[string, Finding[]]> = [];
      if (target) sections.push([`llama-server at ${target}`, await inspectLlamaServer(target, options.model)]);
      else
        sections.push([
          "llama-server",
          [
            {
              level: "fail",
              check: "found",
              detail: "none given, none behind Switchyard, none on 8080 or 9931",
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
