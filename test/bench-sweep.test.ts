import { describe, expect, inject, it } from "vitest";
import { runSwitchyard } from "./support/switchyard-cli.js";
import { useTestGateway } from "./support/test-gateway.js";

describe("switchyard bench sweep", () => {
  const testGateway = useTestGateway();

  it("--flag ubatch=128,512 launches llama-server twice, prints the table, and gives the gateway its engine back", async () => {
    const gateway = testGateway();
    const pidBefore = gateway.engine?.pid;
    const run = await runSwitchyard(
      [
        "bench",
        "sweep",
        "--url",
        gateway.url,
        "--model",
        inject("testModel"),
        "--flag",
        "ubatch=128,512",
        "--depth",
        "1k",
        "--reps",
        "1",
        "--max-tokens",
        "8",
      ],
      600_000,
    );
    console.log(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/^llama-server --ubatch-size (\d+) at http/gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/^--ubatch-size +depth/m);
    expect(run.stdout).toMatch(/^128 +1024 /m);
    expect(run.stdout).toMatch(/^512 +1024 /m);
    // The gateway's engine was stopped for the sweep and started again after it: a new process, healthy.
    expect(run.stderr).toContain(`paused the engine of the Switchyard at ${gateway.url}`);
    expect(gateway.engine?.isPaused).toBe(false);
    expect(gateway.engine?.pid).not.toBe(pidBefore);
    expect((await fetch(`${gateway.engine?.url}/health`)).status).toBe(200);
    // And the gateway answers through it.
    const answer = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "m", max_tokens: 4, messages: [{ role: "user", content: "after the sweep" }] }),
      signal: AbortSignal.timeout(120_000),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(((await answer.json()) as { usage: { output_tokens: number } }).usage.output_tokens).toBeGreaterThan(0);
  }, 700_000);
});
