import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../src/util/free-port.js";
import { runCli } from "./cli.js";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { startTestGateway } from "./support/test-gateway.js";

const MAIN = join(import.meta.dirname, "..", "src", "cli", "main.ts");

/**
 * What Claude Code 2.1 writes on a status-line command's stdin (field names as in its status-line
 * documentation and the object its CLI builds: session_id, transcript_path, cwd, model, workspace,
 * version, output_style, cost, context_window), for the given session.
 */
function claudeCodeStatusJson(sessionId: string, costUsd: number): string {
  return JSON.stringify({
    hook_event_name: "Status",
    session_id: sessionId,
    transcript_path: `/home/dev/.claude/projects/-home-dev-demo-app/${sessionId}.jsonl`,
    cwd: "/home/dev/demo-app",
    model: { id: "claude-sonnet-4-5-20250929", display_name: "Sonnet 4.5" },
    workspace: { current_dir: "/home/dev/demo-app", project_dir: "/home/dev/demo-app", added_dirs: [] },
    version: "2.1.328",
    output_style: { name: "default" },
    cost: {
      total_cost_usd: costUsd,
      total_duration_ms: 45_000,
      total_api_duration_ms: 2_300,
      total_lines_added: 0,
      total_lines_removed: 0,
    },
    context_window: {
      total_input_tokens: 15_234,
      total_output_tokens: 4_521,
      context_window_size: 65_536,
      current_usage: {
        input_tokens: 8_500,
        output_tokens: 1_200,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2_000,
      },
    },
    exceeds_200k_tokens: false,
  });
}

/** Runs `switchyard statusline` as Claude Code does: JSON on stdin, one line expected on stdout. */
function runStatusline(
  stdin: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "statusline", ...args], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // A generous bound for a loaded machine; the command's own deadline is far below it.
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
    child.stdin.end(stdin);
  });
}

describe("switchyard statusline", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let sessionId: string;
  beforeAll(async () => {
    gateway = await startTestGateway();
    const sandbox = claudeSandbox();
    mkdirSync(sandbox.home, { recursive: true });
    const run = await runClaude(["-p", "say hi", "--output-format", "json"], {
      baseUrl: gateway.url,
      home: sandbox.home,
      cwd: sandbox.workdir,
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    sessionId = (JSON.parse(run.stdout) as { session_id: string }).session_id;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("finds the Claude Code session by the session_id Claude Code passes, and shows its latest turn", async () => {
    // Claude Code's session_id (its --output-format json and the status-line JSON) is the
    // x-claude-code-session-id header its requests carry, which Switchyard takes as the session.
    const turns = await gateway.store!.turns({ sessionId });
    expect(turns.length).toBeGreaterThan(0);
    // The main agent's latest turn (a title request may have finished after it).
    const last = turns.findLast((turn) => turn.laneKind === "main")!;
    const result = await runStatusline(claudeCodeStatusJson(sessionId, 0.42), ["--url", gateway.url]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.startsWith(`⇄ local · ${last.backendModel} · TTFT `)).toBe(true);
    const ttft = Number(/TTFT ([\d.]+)s/.exec(line)?.[1]);
    // Shown as 0.00s under ten seconds, whole seconds above.
    expect(Math.abs(ttft - (last.ttftMs ?? 0) / 1000)).toBeLessThanOrEqual(0.5);
    expect(line).toContain(`reuse ${Math.round(((last.reusedTokens ?? 0) / (last.promptTokens ?? 1)) * 100)}%`);
    // Everything ran locally: nothing spent; Claude Code's own price for the session is what was saved.
    expect(line).toContain("$0.00 spent, ~$0.42 saved");
  });

  it("takes the URL from ANTHROPIC_BASE_URL, as when Claude Code runs it", async () => {
    const result = await runStatusline(claudeCodeStatusJson(sessionId, 0), [], { ANTHROPIC_BASE_URL: gateway.url });
    expect(result.stdout).toMatch(/^⇄ local · .* · \$0\.00 spent\n$/);
  });

  it("says so for a session without turns yet", async () => {
    const result = await runStatusline(claudeCodeStatusJson("no-such-session", 0), ["--url", gateway.url]);
    expect(result).toMatchObject({ code: 0, stdout: "⇄ Switchyard · no turns yet in this session\n" });
  });

  it("the summary route answers a session id that is not valid percent-encoding with a 400", async () => {
    const response = await fetch(`${gateway.url}/v1/switchyard/sessions/%E0%A4%A/summary`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("prints a short line and exits 0 when Switchyard is down", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runStatusline(claudeCodeStatusJson(sessionId, 0), ["--url", url]);
    expect(result).toMatchObject({ code: 0, killed: false, stderr: "" });
    expect(result.stdout).toBe(`⇄ Switchyard not answering at ${url} · Sonnet 4.5\n`);
  });

  it("does not hang on a Switchyard that accepts the connection and never answers", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const result = await runStatusline(claudeCodeStatusJson(sessionId, 0), ["--url", url]);
      expect(result).toMatchObject({ code: 0, killed: false });
      expect(result.stdout).toBe(`⇄ Switchyard not answering at ${url} · Sonnet 4.5\n`);
      expect(sockets.size).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("survives input that is not JSON", async () => {
    const result = await runStatusline("not json", ["--url", gateway.url]);
    expect(result).toMatchObject({ code: 0, stdout: "⇄ Switchyard · no session_id on stdin\n" });
  });

  it("is installed by `switchyard code --statusline` through Claude Code's --settings, for that run only", async () => {
    const sandbox = claudeSandbox();
    mkdirSync(sandbox.home, { recursive: true });
    const result = await runCli(["code", "--url", gateway.url, "--statusline", "--", "-p", "say hi"], {
      HOME: sandbox.home,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().length).toBeGreaterThan(0);
  });
});
