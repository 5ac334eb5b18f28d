import { mkdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../src/util/free-port.js";
import { runCli } from "./cli.js";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { claudeCodeStatusJson, runStatusline } from "./support/statusline.js";
import { startTestGateway } from "./support/test-gateway.js";

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
    // Everything ran locally: nothing spent. The local turns are priced at the reference model, so the
    // saving is Switchyard's own from the records, not Claude Code's estimate ($0.42) for the session.
    const saved = (await gateway.store!.session(sessionId))?.savedUsd ?? 0;
    expect(saved).toBeGreaterThan(0.005);
    expect(line).toContain(`$0.00 spent, ~$${saved.toFixed(2)} saved`);
  });

  it("takes the URL from ANTHROPIC_BASE_URL, as when Claude Code runs it", async () => {
    const result = await runStatusline(claudeCodeStatusJson(sessionId, 0), [], { ANTHROPIC_BASE_URL: gateway.url });
    const saved = (await gateway.store!.session(sessionId))?.savedUsd ?? 0;
    expect(result.stdout).toMatch(/^⇄ local · .* · \$0\.00 spent, ~\$[\d.]+ saved\n$/);
    expect(result.stdout).toContain(`~$${saved.toFixed(2)} saved`);
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
    expect(result).toMatchObject({ code: 0, timedOut: false, stderr: "" });
    expect(result.stdout).toBe(`⇄ Switchyard not answering at ${url} · Sonnet 4.5\n`);
  });

  it("does not hang on a Switchyard that accepts the connection and never answers", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const result = await runStatusline(claudeCodeStatusJson(sessionId, 0), ["--url", url]);
      expect(result).toMatchObject({ code: 0, timedOut: false });
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
