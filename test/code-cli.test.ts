import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { claudeSandbox } from "./support/claude-code.js";
import { startTestGateway } from "./support/test-gateway.js";

describe("switchyard env and switchyard code", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("env prints exports, and no compaction window under the 100K Claude Code takes, saying why", async () => {
    const result = await runCli(["env", "--url", gateway.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`export ANTHROPIC_BASE_URL='${gateway.url}'`);
    expect(result.stdout).not.toContain("CLAUDE_CODE_AUTO_COMPACT_WINDOW");
    expect(result.stderr).toContain(
      "# the backend's context (65,536 tokens) is under 100K, the least Claude Code compacts at",
    );
    expect(result.stdout).toContain("export CLAUDE_CODE_ATTRIBUTION_HEADER='0'");
  });

  it("env --client goose prints Goose's exports with the backend's context, and refuses another client", async () => {
    const result = await runCli(["env", "--url", gateway.url, "--client", "goose"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "export GOOSE_PROVIDER='anthropic'",
      "export GOOSE_MODEL='claude-sonnet-4-5'",
      `export ANTHROPIC_HOST='${gateway.url}'`,
      "export ANTHROPIC_API_KEY='switchyard'",
      "export GOOSE_CONTEXT_LIMIT='65536'",
      "",
    ]);
    const other = await runCli(["env", "--url", gateway.url, "--client", "crush"]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("Allowed choices are claude, goose, codex");
  });

  it("code starts the real Claude Code wired to the running Switchyard", async () => {
    const sandbox = claudeSandbox();
    mkdirSync(sandbox.home, { recursive: true });
    const before = gateway.recorder.recent().length;
    const result = await runCli(["code", "--url", gateway.url, "--", "-p", "say hi"], { HOME: sandbox.home });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().length).toBeGreaterThan(0);
    // Claude Code says nothing about the environment Switchyard gave it (2.1.332 warns at a window under 100K).
    expect(result.stderr).not.toMatch(/treats it as the .* minimum/);
    const turns = gateway.recorder.recent().slice(before);
    expect(turns.some((turn) => turn.endpoint === "messages" && turn.status === 200)).toBe(true);
  });
});
