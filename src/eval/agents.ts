import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { claudeCodeEnv } from "../clients/claude-code-env.js";
import { codexConfig } from "../clients/codex-config.js";
import { SESSION_HEADER } from "../sessions/session-identity.js";
import { EVAL_RUN_HEADER, EVAL_TASK_HEADER, type EvalTag } from "../telemetry/eval-tag.js";

/**
 * Who does the task: the harness's own checks (`oracle`, `null`), Claude Code, pi, opencode or Codex
 * through a Switchyard (`claude`, `pi`, `opencode`, `codex`), or any command (`cmd:…`).
 */
export type AgentSpec =
  | { kind: "oracle" }
  | { kind: "null" }
  | { kind: "claude"; maxTurns: number }
  | { kind: "pi"; model: string }
  | { kind: "opencode"; model: string }
  | { kind: "codex"; model: string }
  | { kind: "cmd"; command: string };

export function parseAgent(text: string, { maxTurns = 80, model = "local" } = {}): AgentSpec {
  if (text === "oracle") return { kind: "oracle" };
  if (text === "claude") return { kind: "claude", maxTurns };
  if (text === "pi") return { kind: "pi", model };
  if (text === "null") return { kind: "null" };
  if (text.startsWith("cmd:")) {
    const command = text.slice(4).trim();
    if (!command) throw new Error("--agent cmd: needs a command, such as cmd:'./my-agent.sh'");
    return { kind: "cmd", command };
  }
  if (text === "opencode") return { kind: "opencode", model };
  if (text === "codex") return { kind: "codex", model };
  throw new Error(`--agent ${text}: expected oracle, null, claude, pi, opencode, codex or cmd:'…'`);
}

export function agentLabel(agent: AgentSpec): string {
  return agent.kind === "cmd" ? `cmd:${agent.command}` : agent.kind;
}

/**
 * The shell command that plays the agent in the working copy. `oracle` applies the reference patch, read
 * from the task folder by absolute path (the one agent allowed to see it); `null` changes nothing. A
 * `cmd:` agent gets the instruction on stdin and in SWITCHYARD_EVAL_INSTRUCTION.
 */
export function agentCommand(agent: AgentSpec, taskDirectory: string): string {
  switch (agent.kind) {
    case "oracle":
      return `git apply --whitespace=nowarn ${shellQuote(join(taskDirectory, "solution.patch"))}`;
    case "null":
      return "true";
    case "claude":
      // The prompt from the environment, so no instruction text is ever parsed by the shell.
      return [
        shellQuote(claudeBinary()),
        '-p "$SWITCHYARD_EVAL_INSTRUCTION" --session-id "$SWITCHYARD_EVAL_SESSION_ID" --output-format json',
        `--permission-mode bypassPermissions --max-turns ${agent.maxTurns}`,
      ].join(" ");
    case "pi":
      // pi has no turn limit; the run's timeout bounds it. Nothing from the machine's own pi setup.
      return [
        shellQuote(bundledOrPath("pi")),
        `--print --model ${shellQuote(`switchyard/${agent.model}`)} --no-context-files --no-extensions --no-skills`,
        '"$SWITCHYARD_EVAL_INSTRUCTION"',
      ].join(" ");
    case "opencode":
      // `run` answers the one prompt and exits; its turn count is the run's timeout, as for pi.
      return [
        shellQuote(bundledOrPath("opencode")),
        `run --model ${shellQuote(`switchyard/${agent.model}`)}`,
        '"$SWITCHYARD_EVAL_INSTRUCTION"',
      ].join(" ");
    case "codex":
      // `exec` answers the one prompt and exits; no sandbox of its own (the run is one), no approvals.
      return [
        shellQuote(bundledOrPath("codex")),
        "exec --skip-git-repo-check --sandbox danger-full-access",
        '"$SWITCHYARD_EVAL_INSTRUCTION"',
      ].join(" ");
    case "cmd":
      return agent.command;
    default: {
      const never: never = agent;
      return never;
    }
  }
}

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `program` on PATH, else the one this package depends on (a devDependency, pinned in package.json). */
function bundledOrPath(program: string): string {
  const bundled = join(import.meta.dirname, "..", "..", "node_modules", ".bin", program);
  const onPath = (process.env.PATH ?? "").split(":").some((folder) => folder && existsSync(join(folder, program)));
  return onPath || !existsSync(bundled) ? program : bundled;
}

const claudeBinary = () => bundledOrPath("claude");

/** The header session routing reads for a side (routing.escalation.header's default). */
const ROUTE_HEADER = "x-switchyard-route";

/**
 * What the agent needs to reach the gateway: for Claude Code, the same settings `switchyard code` uses;
 * for pi and opencode, a provider that is Switchyard's OpenAI door, sending the run's session id as
 * `x-switchyard-session-id` (which wins over any session id of the client's own). Each request also
 * carries the run's tag (`x-switchyard-eval-run` / `-task`), which the dashboard shows, and, for
 * `--route local|cloud`, the route header session routing obeys (`x-switchyard-route`, the default of
 * `routing.escalation.header`).
 */
export function agentGatewayEnv(
  agent: AgentSpec,
  gatewayUrl: string | undefined,
  home: string,
  { apiKey, tag, route, sessionId }: { apiKey?: string; tag?: EvalTag; route?: string; sessionId?: string } = {},
): NodeJS.ProcessEnv {
  if (!gatewayUrl) return {};
  // A side is a header session routing obeys; a backend name has no header (the gateway's config
  // maps model names to backends), so it stays a label of the run.
  const side = route === "local" || route === "cloud" ? route : undefined;
  const headerLines = [
    ...(tag ? [`${EVAL_RUN_HEADER}: ${tag.run}`, `${EVAL_TASK_HEADER}: ${tag.task}`] : []),
    ...(side ? [`${ROUTE_HEADER}: ${side}`] : []),
  ];
  // Claude Code sends ANTHROPIC_CUSTOM_HEADERS ("Name: value" lines) on every request, also when a cmd:
  // agent launches it; a cmd: agent of its own reads the SWITCHYARD_EVAL_* values.
  const common = {
    SWITCHYARD_URL: gatewayUrl,
    ...(tag ? { SWITCHYARD_EVAL_RUN_ID: tag.run, SWITCHYARD_EVAL_TASK: tag.task } : {}),
    ...(side ? { SWITCHYARD_EVAL_ROUTE: side } : {}),
    ...(headerLines.length > 0 ? { ANTHROPIC_CUSTOM_HEADERS: headerLines.join("\n") } : {}),
  };
  // pi's and opencode's provider headers, each value itself: pi before 0.77 took a value naming an
  // environment variable as that variable's value, and pi since 0.77 takes it as it is (`$NAME` instead,
  // which the older one sends as it is). Each run has its own agent folder and config.
  const providerHeaders: Record<string, string> = {
    ...(sessionId ? { [SESSION_HEADER]: sessionId } : {}),
    ...Object.fromEntries(headerLines.map((line) => line.split(": ") as [string, string])),
  };
  if (agent.kind === "pi") {
    const agentDir = join(home, ".pi", "agent");
    mkdirSync(agentDir, { recursive: true });
    const provider = {
      baseUrl: `${gatewayUrl.replace(/\/+$/, "")}/v1`,
      apiKey: apiKey ?? "switchyard",
      api: "openai-completions",
      headers: providerHeaders,
      models: [{ id: agent.model, reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 4096 }],
    };
    writeFileSync(join(agentDir, "models.json"), JSON.stringify({ providers: { switchyard: provider } }));
    writeFileSync(join(agentDir, "settings.json"), JSON.stringify({ retry: { enabled: false } }));
    return { ...common, PI_CODING_AGENT_DIR: agentDir, PI_OFFLINE: "1", TERM: "dumb" };
  }
  if (agent.kind === "opencode") {
    // opencode's one provider is Switchyard's OpenAI door (@ai-sdk/openai-compatible, whose `headers`
    // go on every request; opencode's own x-session-id would win over an x-session-id of ours).
    const config = {
      autoupdate: false,
      share: "disabled",
      provider: {
        switchyard: {
          npm: "@ai-sdk/openai-compatible",
          name: "Switchyard",
          options: {
            baseURL: `${gatewayUrl.replace(/\/+$/, "")}/v1`,
            apiKey: apiKey ?? "switchyard",
            headers: providerHeaders,
          },
          models: { [agent.model]: { name: `${agent.model} via Switchyard` } },
        },
      },
      model: `switchyard/${agent.model}`,
    };
    return {
      ...common,
      OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_SHARE: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    };
  }
  if (agent.kind === "codex") {
    // Codex's config.toml in the run's own CODEX_HOME: one model provider, Switchyard's Responses door,
    // whose `http_headers` go on every request.
    const codexHome = join(home, ".codex");
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      join(codexHome, "config.toml"),
      codexConfig(
        { baseUrl: gatewayUrl, apiKey: apiKey ?? "switchyard", contextWindow: undefined },
        { model: agent.model, httpHeaders: providerHeaders },
      ),
    );
    return { ...common, CODEX_HOME: codexHome, SWITCHYARD_API_KEY: apiKey ?? "switchyard", NO_COLOR: "1" };
  }
  if (agent.kind !== "claude") return common;
  return {
    ...common,
    ...claudeCodeEnv({ baseUrl: gatewayUrl, apiKey, contextWindow: undefined }),
    DISABLE_AUTOUPDATER: "1",
    // Claude Code refuses bypassPermissions as root unless told it is in a sandbox; the run is one: a
    // throw-away copy with its own HOME.
    IS_SANDBOX: "1",
  };
}
