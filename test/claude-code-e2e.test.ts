import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { fixtureRequests, replayHeaders } from "./support/fixtures.js";
import { startTestGateway } from "./support/test-gateway.js";

describe("Claude Code (the real CLI) on the local llama-server", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const sandbox = claudeSandbox();
  beforeAll(async () => {
    gateway = await startTestGateway();
    mkdirSync(sandbox.home, { recursive: true });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("runs `claude -p` through Switchyard, then resumes the session", async () => {
    const first = await runClaude(["-p", "say hi", "--output-format", "json"], {
      baseUrl: gateway.url,
      home: sandbox.home,
      cwd: sandbox.workdir,
      timeoutMs: 120_000,
    });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as { session_id: string; is_error: boolean; result: string };
    expect(result.is_error).toBe(false);
    expect(result.result.length).toBeGreaterThan(0);
    const turnsAfterFirst = gateway.recorder.recent().filter((turn) => turn.endpoint === "messages");
    expect(turnsAfterFirst.length).toBeGreaterThan(0);
    expect(turnsAfterFirst.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);

    const resumed = await runClaude(["-p", "--resume", result.session_id, "say hi again"], {
      baseUrl: gateway.url,
      home: sandbox.home,
      cwd: sandbox.workdir,
      timeoutMs: 120_000,
    });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.trim().length).toBeGreaterThan(0);
    const turns = gateway.recorder.recent().filter((turn) => turn.endpoint === "messages");
    expect(turns.length).toBeGreaterThan(turnsAfterFirst.length);
    // The resumed turn's prompt holds the first exchange, so the backend reused part of it.
    expect(turns.at(-1)?.usage?.cacheReadTokens).toBeGreaterThan(0);
  });

  it("does not succeed pointed straight at llama-server (the failure Switchyard exists to fix)", async () => {
    const engineUrl = gateway.engine?.url as string;
    // The reason, shown directly: llama-server's own /v1/messages raises on Claude Code's mid-conversation system message.
    const request = fixtureRequests("basic-session").find((candidate) => candidate.file === "003.json");
    const direct = await fetch(`${engineUrl}/v1/messages`, {
      method: "POST",
      headers: replayHeaders(request!),
      body: JSON.stringify(request?.body),
    });
    expect(direct.status).toBe(500);
    expect(await direct.text()).toMatch(/System message must be at the beginning/);

    const run = await runClaude(["-p", "say hi"], {
      baseUrl: engineUrl,
      home: sandbox.home,
      cwd: sandbox.workdir,
      // Claude Code retries a 500 with backoff, without end; 45 s is ample to show it never succeeds.
      timeoutMs: 45_000,
    });
    expect(run.code === 0 && !run.timedOut).toBe(false);
  });
});
