import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Who does the task: the harness's own checks (`oracle`, `null`), Claude Code through a Switchyard
 * (`claude`), or any command (`cmd:…`).
 */
export type AgentSpec =
  | { kind: "oracle" }
  | { kind: "null" }
  | { kind: "claude"; maxTurns: number }
  | { kind: "cmd"; command: string };

export function parseAgent(text: string, { maxTurns = 80 } = {}): AgentSpec {
  if (text === "oracle") return { kind: "oracle" };
  if (text === "claude") return { kind: "claude", maxTurns };
  if (text === "null") return { kind: "null" };
  if (text.startsWith("cmd:")) {
    const command = text.slice(4).trim();
    if (!command) throw new Error("--agent cmd: needs a command, such as cmd:'./my-agent.sh'");
    return { kind: "cmd", command };
  }
  if (["pi", "opencode"].includes(text))
    throw new Error(`--agent ${text}: not built yet; use cmd:'…' to launch it yourself (see docs/design/eval.md)`);
  throw new Error(`--agent ${text}: expected oracle, null, claude or cmd:'…'`);
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

/** `claude` on PATH, else the one this package depends on (a devDependency, pinned in package.json). */
function claudeBinary(): string {
  const bundled = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "claude");
  const onPath = (process.env.PATH ?? "").split(":").some((folder) => folder && existsSync(join(folder, "claude")));
  return onPath || !existsSync(bundled) ? "claude" : bundled;
}

/** What the agent needs to reach the gateway: for Claude Code, the same settings `switchyard code` uses. */
export function agentGatewayEnv(agent: AgentSpec, gatewayUrl: string | undefined, apiKey?: string): NodeJS.ProcessEnv {
  if (!gatewayUrl) return {};
  const common = { SWITCHYARD_URL: gatewayUrl };
  if (agent.kind !== "claude") return common;
  return {
    ...common,
    ANTHROPIC_BASE_URL: gatewayUrl,
    ANTHROPIC_AUTH_TOKEN: apiKey ?? "switchyard",
    CLAUDE_CODE_ATTRIBUTION_HEADER: "0",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    // Claude Code refuses bypassPermissions as root unless told it is in a sandbox; the run is one: a
    // throw-away copy with its own HOME.
    IS_SANDBOX: "1",
  };
}
