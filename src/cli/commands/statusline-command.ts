import type { Command } from "commander";
import { DEFAULT_PORT } from "../../config/config-schema.js";
import type { SessionStatus } from "../../gateway/session-summary-route.js";
import { type ClaudeCodeStatusInput, formatStatusLine, parseStatusInput, unreachableLine } from "../status-line.js";

/** Claude Code re-runs the command as the conversation moves; a slow answer is worse than none. */
const ASK_TIMEOUT_MS = 800;
const STDIN_TIMEOUT_MS = 500;
/** Whatever happens, a line is printed and the process exits by then. */
const DEADLINE_MS = 1_500;

/** Reads stdin to its end, or whatever arrived within the timeout (a terminal gives nothing). */
function readStdin(timeoutMs: number): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve("");
  return new Promise((resolve) => {
    let text = "";
    const done = () => {
      clearTimeout(timer);
      process.stdin.pause();
      resolve(text);
    };
    const timer = setTimeout(done, timeoutMs);
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => {
      text += chunk;
    });
    process.stdin.once("end", done);
    process.stdin.once("error", done);
  });
}

/** The session's status; "refused" when Switchyard wants another key; undefined when it does not answer. */
async function askSession(
  url: string,
  sessionId: string,
  apiKey: string | undefined,
): Promise<SessionStatus | "refused" | undefined> {
  try {
    const response = await fetch(`${url}/v1/switchyard/sessions/${encodeURIComponent(sessionId)}/summary`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    });
    if (response.status === 401) return "refused";
    if (response.status !== 200) return undefined;
    return (await response.json()) as SessionStatus;
  } catch {
    return undefined;
  }
}

export async function statusLine(input: ClaudeCodeStatusInput, url: string, apiKey: string | undefined) {
  if (!input.session_id) return "⇄ Switchyard · no session_id on stdin";
  const status = await askSession(url, input.session_id, apiKey);
  if (status === "refused") return `⇄ Switchyard at ${url} wants its API key (set SWITCHYARD_API_KEY)`;
  return status ? formatStatusLine(input, status) : unreachableLine(input, url);
}

/** Prints the line and exits 0, whatever happens (a failing status line would show up in Claude Code). */
export async function runStatusline(options: { url?: string }): Promise<never> {
  const url = (options.url ?? process.env.ANTHROPIC_BASE_URL ?? `http://127.0.0.1:${DEFAULT_PORT}`).replace(/\/+$/, "");
  // The gateway's key: ours when set, else the token `switchyard code` gave Claude Code.
  const apiKey = process.env.SWITCHYARD_API_KEY || process.env.ANTHROPIC_AUTH_TOKEN || undefined;
  let input: ClaudeCodeStatusInput = {};
  const deadline = setTimeout(() => {
    process.stdout.write(`${unreachableLine(input, url)}\n`);
    process.exit(0);
  }, DEADLINE_MS);
  try {
    input = parseStatusInput(await readStdin(STDIN_TIMEOUT_MS));
    process.stdout.write(`${await statusLine(input, url, apiKey)}\n`);
  } catch {
    process.stdout.write(`${unreachableLine(input, url)}\n`);
  }
  clearTimeout(deadline);
  process.exit(0);
}

export function registerStatuslineCommand(program: Command): void {
  program
    .command("statusline")
    .description("print one status line for Claude Code (reads its session JSON on stdin)")
    .option("--url <url>", "the Switchyard to ask (default: $ANTHROPIC_BASE_URL, else the default port)")
    .action(runStatusline);
}
