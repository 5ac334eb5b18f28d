import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opencodeConfig, opencodeSandbox, runOpencode } from "./support/opencode.js";
import { startTestGateway } from "./support/test-gateway.js";

describe("opencode (the real CLI) through Switchyard's OpenAI door to the local llama-server", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const root = opencodeSandbox();
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("runs a prompt, then continues the session with its prompt reused", async () => {
    const config = opencodeConfig(gateway.url);
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
