import { join } from "node:path";

/** Who does the task: the harness's own checks (`oracle`, `null`) or any command (`cmd:…`). */
export type AgentSpec = { kind: "oracle" } | { kind: "null" } | { kind: "cmd"; command: string };

export function parseAgent(text: string): AgentSpec {
  if (text === "oracle") return { kind: "oracle" };
  if (text === "null") return { kind: "null" };
  if (text.startsWith("cmd:")) {
    const command = text.slice(4).trim();
    if (!command) throw new Error("--agent cmd: needs a command, such as cmd:'./my-agent.sh'");
    return { kind: "cmd", command };
  }
  if (["claude", "pi", "opencode"].includes(text))
    throw new Error(`--agent ${text}: not built yet; use cmd:'…' to launch it yourself (see docs/design/eval.md)`);
  throw new Error(`--agent ${text}: expected oracle, null or cmd:'…'`);
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
