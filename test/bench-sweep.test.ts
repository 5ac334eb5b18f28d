import { describe, expect, inject, it } from "vitest";
import { runSwitchyard } from "./support/switchyard-cli.js";
import { useTestGateway } from "./support/test-gateway.js";

describe("switchyard bench sweep", () => {
  const testGateway = useTestGateway();

  it("--flag ubatch=128,512 launches llama-server twice, prints the table, and the running engine stays healthy", async () => {
    const run = await runSwitchyard(
      [
        "bench",
        "sweep",
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
    // Each launch is stopped by PID when measured; the gateway's own engine was never touched.
    expect((await fetch(`${testGateway().engine?.url}/health`)).status).toBe(200);
  }, 700_000);
});
