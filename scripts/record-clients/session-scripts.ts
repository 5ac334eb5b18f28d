import type { ScriptedToolCall, ScriptedTurn } from "./scripted-turn.js";

/**
 * What the scripted endpoint answers. Each prompt a recording sends carries a marker, `[script:NAME]`; the
 * answer to a request is step N of script NAME, where N counts the assistant turns after the newest user
 * message that holds a marker. So the answer depends only on the request, a subagent (whose first message
 * is the prompt its parent wrote) follows its own script, and a resumed session picks up where it was.
 * Past the last step a script ends with a plain answer.
 */
export type SessionScript = (workdir: string) => ScriptedTurn[];

const call = (id: string, name: string, input: Record<string, unknown>): ScriptedToolCall => ({ id, name, input });

/** Claude Code's tools (2.1.332): Bash {command, description}, Read {file_path}, Edit, Agent {description, prompt, subagent_type}. */
export const CLAUDE_CODE_SCRIPTS: Record<string, SessionScript> = {
  "basic-1": (workdir) => [
    {
      text: "Let me look around.",
      toolCalls: [call("toolu_basic_01", "Bash", { command: "ls", description: "List files" })],
    },
    { toolCalls: [call("toolu_basic_02", "Read", { file_path: `${workdir}/src/app.js` })] },
    {
      toolCalls: [
        call("toolu_basic_03", "Edit", {
          file_path: `${workdir}/src/app.js`,
          old_string: "no such text",
          new_string: "console.log('hi')",
        }),
      ],
    },
    { text: "src/app.js prints hello; the edit did not apply because the text was not there." },
  ],
  "basic-2": () => [
    { toolCalls: [call("toolu_basic_04", "Bash", { command: "git status --short", description: "Show changes" })] },
    { text: "Nothing has changed." },
  ],
  "agent-1": () => [
    {
      text: "I'll have a subagent explore.",
      toolCalls: [
        call("toolu_agent_01", "Agent", {
          description: "Explore the repo",
          prompt: "[script:agent-sub] List the files and read src/app.js, then say what it does.",
          subagent_type: "Explore",
        }),
      ],
    },
    { toolCalls: [call("toolu_agent_02", "Bash", { command: "git log --oneline", description: "Show history" })] },
    { text: "The app prints hello, as the subagent found." },
  ],
  "agent-sub": (workdir) => [
    { toolCalls: [call("toolu_sub_01", "Bash", { command: "ls src", description: "List src" })] },
    { toolCalls: [call("toolu_sub_02", "Read", { file_path: `${workdir}/src/app.js` })] },
    { text: "src/app.js prints hello. Nothing else." },
  ],
  "thinking-1": (workdir) => [
    {
      thinking: "The user wants the file count. I should list the files first.",
      toolCalls: [call("toolu_think_01", "Bash", { command: "ls -1 | wc -l", description: "Count files" })],
    },
    {
      thinking: "One entry. Reading the app will tell me what it does.",
      toolCalls: [call("toolu_think_02", "Read", { file_path: `${workdir}/src/app.js` })],
    },
    {
      thinking: "It logs hello. That answers both questions.",
      text: "One entry at the top (src); the app prints hello.",
    },
  ],
  "thinking-2": () => [
    {
      thinking: "A second question in the same session; git will tell.",
      toolCalls: [call("toolu_think_03", "Bash", { command: "git log --oneline", description: "Show history" })],
    },
    { thinking: "One commit.", text: "There is one commit." },
  ],
  "compact-1": () => [
    { toolCalls: [call("toolu_compact_01", "Bash", { command: "cat src/app.js", description: "Show the app" })] },
    { text: "It prints hello." },
  ],
  "compact-2": () => [
    { toolCalls: [call("toolu_compact_02", "Bash", { command: "git status --short", description: "Show changes" })] },
    { text: "Still clean after the compaction." },
  ],
};

/** pi's tools (0.73): bash {command}, read {path}; opencode's: bash {command, description}, read {filePath}. */
export const PI_SCRIPTS: Record<string, SessionScript> = {
  "pi-1": () => [
    { thinking: "Listing the files first.", toolCalls: [call("call_pi_01", "bash", { command: "ls" })] },
    { toolCalls: [call("call_pi_02", "read", { path: "src/app.js" })] },
    { text: "src/app.js prints hello." },
  ],
  "pi-2": () => [
    { toolCalls: [call("call_pi_03", "bash", { command: "git status --short" })] },
    { text: "Nothing has changed." },
  ],
};

/** What a script writes for the id of the agent Codex spawned last; responses-endpoint.ts puts the id in. */
export const SPAWNED_AGENT = "$SPAWNED_AGENT";

/**
 * Codex's shell tool (0.171.0): `exec_command` {cmd}. The second step's command fails, so the recording
 * holds a failed command's output too.
 */
export const CODEX_SCRIPTS: Record<string, SessionScript> = {
  "codex-1": () => [
    { thinking: "Listing the files first.", toolCalls: [call("call_codex_01", "exec_command", { cmd: "ls" })] },
    { toolCalls: [call("call_codex_02", "exec_command", { cmd: "cat src/missing.js" })] },
    { toolCalls: [call("call_codex_03", "exec_command", { cmd: "cat src/app.js" })] },
    { text: "src/app.js prints hello." },
  ],
  "codex-2": () => [
    { toolCalls: [call("call_codex_04", "exec_command", { cmd: "git status --short" })] },
    { text: "Nothing has changed." },
  ],
  // A sub-agent (multi_agent_v1's spawn_agent), waited for by its id.
  "codex-agent": () => [
    {
      text: "I'll have a sub-agent look.",
      toolCalls: [
        {
          ...call("call_codex_agent_01", "spawn_agent", { message: "[script:codex-sub] List the files in src." }),
          namespace: "multi_agent_v1",
        },
      ],
    },
    {
      toolCalls: [
        {
          ...call("call_codex_agent_02", "wait_agent", { targets: [SPAWNED_AGENT], timeout_ms: 60_000 }),
          namespace: "multi_agent_v1",
        },
      ],
    },
    { toolCalls: [call("call_codex_agent_03", "exec_command", { cmd: "git log --oneline" })] },
    { text: "The sub-agent found src/app.js." },
  ],
  "codex-sub": () => [
    { toolCalls: [call("call_codex_sub_01", "exec_command", { cmd: "ls src" })] },
    { text: "src/app.js" },
  ],
};

export const OPENCODE_SCRIPTS: Record<string, SessionScript> = {
  "opencode-1": (workdir) => [
    {
      thinking: "Listing the files first.",
      toolCalls: [call("call_oc_01", "bash", { command: "ls", description: "List files" })],
    },
    { toolCalls: [call("call_oc_02", "read", { filePath: `${workdir}/src/app.js` })] },
    { text: "src/app.js prints hello." },
  ],
  "opencode-2": () => [
    { toolCalls: [call("call_oc_03", "bash", { command: "git status --short", description: "Show changes" })] },
    { text: "Nothing has changed." },
  ],
};

/** Goose's shell tool (1.37): shell {command}; one script per provider, so each recording has its own ids. */
function gooseScripts(prefix: string, ids: string): Record<string, SessionScript> {
  return {
    [`${prefix}-1`]: () => [
      { text: "Let me look around.", toolCalls: [call(`${ids}_01`, "shell", { command: "ls" })] },
      { toolCalls: [call(`${ids}_02`, "shell", { command: "cat src/app.js" })] },
      { text: "src/app.js prints hello." },
    ],
    [`${prefix}-2`]: () => [
      { toolCalls: [call(`${ids}_03`, "shell", { command: "git status --short" })] },
      { text: "Nothing has changed." },
    ],
  };
}

export const GOOSE_SCRIPTS = {
  anthropic: gooseScripts("goose", "toolu_goose"),
  openai: gooseScripts("goose-openai", "call_goose"),
};

const MARKER = /\[script:([a-z0-9-]+)\]/;

/** The text of a message's content, whatever its shape (string, or blocks with `text`). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => (block && typeof block === "object" && "text" in block ? String(block.text) : ""))
    .join("\n");
}

/**
 * The step a conversation is at: the script named in the newest user message with a marker, and how many
 * assistant turns followed it. Undefined when no user message names a script.
 */
export function scriptPosition(messages: ReadonlyArray<{ role?: unknown; content?: unknown }>) {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role !== "user") continue;
    const name = MARKER.exec(contentText(message.content))?.[1];
    if (name === undefined) continue;
    const step = messages.slice(index + 1).filter((later) => later.role === "assistant").length;
    return { name, step };
  }
  return undefined;
}

/** The answer for a conversation: its script's step, or `fallback` when the script is unknown or done. */
export function scriptedAnswer(
  scripts: Record<string, SessionScript>,
  messages: ReadonlyArray<{ role?: unknown; content?: unknown }>,
  workdir: string,
  fallback: ScriptedTurn,
): ScriptedTurn {
  const position = scriptPosition(messages);
  const script = position ? scripts[position.name]?.(workdir) : undefined;
  return script?.[position?.step ?? 0] ?? fallback;
}
