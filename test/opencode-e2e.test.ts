import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENCODE_BIN, opencodeConfig, opencodeEnvironment } from "./support/opencode.js";
import { runProgram } from "./support/run-program.js";
import { startTestGateway } from "./support/test-gateway.js";

/** Runs the real opencode CLI (npm opencode-ai) non-interactively, stdin closed, killed after a while. */
function runOpencode(args: string[], root: string, config: unknown) {
  const env = opencodeEnvironment(join(root, "home"), config);
  return runProgram(OPENCODE_BIN, args, { cwd: join(root, "work"), env, timeoutMs: 150_000 });
}

describe("opencode (the real CLI) through Switchyard's OpenAI door to the local llama-server", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const root = mkdtempSync(join(tmpdir(), "switchyard-opencode-"));
  beforeAll(async () => {
    gateway = await startTestGateway();
    for (const directory of ["home", "work"]) mkdirSync(join(root, directory), { recursive: true });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("runs a prompt, then continues the session with its prompt reused", async () => {
    const config = opencodeConfig({
      id: "switchyard",
      name: "Switchyard",
      baseURL: `${gateway.url}/v1`,
      apiKey: "switchyard-test",
    });
    // opencode quotes arguments that contain spaces; the words go as separate arguments.
    const first = await runOpencode(["run", "--model", "switchyard/local", "say", "hi"], root, config);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().length).toBeGreaterThan(0);
    const second = await runOpencode(
      ["run", "--continue", "--model", "switchyard/local", "once", "more"],
      root,
      config,
    );
    expect(second.code, second.stderr).toBe(0);
    const main = gateway.recorder
      .recent()
      .filter((turn) => turn.endpoint === "chat_completions" && turn.lane === "main");
    expect(main).toHaveLength(2);
    expect(main[0]?.sessionId).toMatch(/^ses_/);
    expect(main[1]?.sessionId).toBe(main[0]?.sessionId);
    expect(main[1]?.expectedReuse).toBe(main[0]?.promptTokens);
    expect(main[1]?.reusedTokens).toBeGreaterThanOrEqual((main[0]?.promptTokens ?? 0) - 4);
  });
});
