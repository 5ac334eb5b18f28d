import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusLineSettingsArgs } from "../src/cli/claude-code-statusline.js";
import { shellQuote } from "../src/clients/claude-code-env.js";
import { CLAUDE_BIN, claudeSandbox } from "./support/claude-code.js";
import { startTestGateway } from "./support/test-gateway.js";

/** A tmux server of this test's own (its own socket), so nothing else's sessions are touched. */
const SOCKET = `switchyard-statusline-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });

async function screenMatching(pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = "";
  while (Date.now() < deadline) {
    screen = tmux("capture-pane", "-p", "-t", "claude");
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no ${pattern} on Claude Code's screen within ${timeoutMs} ms:\n${screen}`);
}

describe("the status line inside the real, interactive Claude Code", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const sandbox = claudeSandbox();
  beforeAll(async () => {
    gateway = await startTestGateway();
    mkdirSync(sandbox.home, { recursive: true });
    // A finished first-run setup and a trusted folder, as after a user's first start (status-line
    // commands run only in trusted folders).
    writeFileSync(
      join(sandbox.home, ".claude.json"),
      JSON.stringify({
        hasCompletedOnboarding: true,
        theme: "dark",
        projects: { [sandbox.workdir]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
      }),
    );
  });
  afterAll(async () => {
    try {
      tmux("kill-server");
    } catch {}
    await gateway?.close();
  });

  it("shows the session's backend, TTFT and reuse under the prompt, installed with --settings", async () => {
    const { args } = statusLineSettingsArgs(gateway.url, sandbox.home);
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: sandbox.home,
      TERM: "xterm-256color",
      ANTHROPIC_BASE_URL: gateway.url,
      ANTHROPIC_AUTH_TOKEN: "switchyard",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
    };
    const script = join(sandbox.workdir, "..", "run-claude.sh");
    writeFileSync(
      script,
      `#!/bin/sh\ncd ${shellQuote(sandbox.workdir)}\nexec env -i ${Object.entries(env)
        .map(([name, value]) => `${name}=${shellQuote(value)}`)
        .join(" ")} ${shellQuote(CLAUDE_BIN)} ${args.map(shellQuote).join(" ")}\n`,
    );
    chmodSync(script, 0o755);
    tmux("new-session", "-d", "-s", "claude", "-x", "160", "-y", "40", script);

    await screenMatching(/⇄ Switchyard · no turns yet in this session/, 90_000);
    tmux("send-keys", "-t", "claude", "say hi", "Enter");
    const screen = await screenMatching(/⇄ local · .* · TTFT [\d.]+s · reuse \d+% · \$0\.00 spent/, 180_000);

    const [session] = await gateway.store!.sessions({});
    const main = (await gateway.store!.turns({ sessionId: session?.sessionId })).findLast(
      (turn) => turn.laneKind === "main",
    );
    expect(main).toBeDefined();
    const line = screen.split("\n").find((row) => row.includes("⇄ local")) ?? "";
    expect(line).toContain(`⇄ local · ${main?.backendModel} · TTFT `);
    expect(line).toContain(`reuse ${Math.round(((main?.reusedTokens ?? 0) / (main?.promptTokens ?? 1)) * 100)}%`);
  });
});
