import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { runProgram } from "./support/run-program.js";
import { startTestGateway } from "./support/test-gateway.js";

const ROOT = join(import.meta.dirname, "..");

describe("switchyard bench sweep", () => {
  let gateway: RunningSwitchyard;
  beforeAll(async () => {
    gateway = await startTestGateway();
  }, 300_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it("--flag ubatch=128,512 launches llama-server twice, prints the table, and the running engine stays healthy", async () => {
    const run = await runProgram(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "src", "cli", "main.ts"),
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
      {
        cwd: ROOT,
        env: { ...process.env, SWITCHYARD_CONFIG: "/nonexistent/switchyard-bench-test.json" },
        timeoutMs: 600_000,
      },
    );
    console.log(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/^llama-server --ubatch-size (\d+) at http/gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/^--ubatch-size +depth/m);
    expect(run.stdout).toMatch(/^128 +1024 /m);
    expect(run.stdout).toMatch(/^512 +1024 /m);
    // Each launch is stopped by PID when measured; the gateway's own engine was never touched.
    expect((await fetch(`${gateway.engine?.url}/health`)).status).toBe(200);
  }, 700_000);
});
