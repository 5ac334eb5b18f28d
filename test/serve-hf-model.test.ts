import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startCli, waitForLine } from "./cli.js";
import { type FakeHub, startFakeHub } from "./fake-hf-hub.js";
import { processAlive } from "./support/process-alive.js";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-serve-hf-"));
let hub: FakeHub | undefined;
let serve: ChildProcess | undefined;
let enginePid: number | undefined;
afterAll(async () => {
  if (serve?.exitCode === null) serve.kill("SIGKILL");
  // The engine outlives a killed gateway: stop it by its PID too.
  if (enginePid && processAlive(enginePid)) process.kill(enginePid, "SIGKILL");
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("switchyard serve --model hf:…", () => {
  it("pulls the model from the hub and starts the engine with fit's flags", async () => {
    // The built-in test model (a real GGUF the engine runs) published as an F16 quant.
    hub = await startFakeHub({ "acme/Test-GGUF": { files: { "Test-F16.gguf": readFileSync(inject("testModel")) } } });
    const config = join(scratch, "config.json");
    writeFileSync(config, JSON.stringify({ engine: { contextSize: 8192, slots: 2, cacheRamMiB: 256 } }));
    serve = startCli(["serve", "--port", "0", "--model", "hf:acme/Test-GGUF:F16"], {
      HF_ENDPOINT: hub.url,
      SWITCHYARD_CACHE_DIR: join(scratch, "cache"),
      SWITCHYARD_CONFIG: config,
      SWITCHYARD_LLAMA_SERVER: inject("llamaServer"),
    });
    let stderr = "";
    serve.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitForLine(serve, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 240_000);
    const [, , printedPid] = /llama-server ready at (\S+) \(PID (\d+)\)/.exec(stderr) ?? [];
    const pid = Number(printedPid);
    enginePid = pid;
    expect(stderr).toContain("(verified: sha256)");
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const pulled = join(scratch, "cache", "models", "hf", "acme", "Test-GGUF", "Test-F16.gguf");
    expect(argv).toContain(pulled);
    const planned = /fit: fits; llama-server (.+)/.exec(stderr)?.[1]?.split(" ") ?? [];
    expect(planned.slice(0, 4)).toEqual(["-c", "8192", "-np", "2"]);
    // Context and the cache/attention/offload flags the plan chose reach the engine.
    const joined = argv.join(" ");
    expect(joined).toContain("--ctx-size 8192");
    for (const flag of ["-ctk f16", "-ctv f16", "-fa auto", "-ngl 0"]) {
      expect(planned.join(" ")).toContain(flag);
      expect(joined).toContain(flag);
    }
    const exited = new Promise((resolve) => serve?.on("exit", resolve));
    serve.kill("SIGTERM");
    await exited;
    expect(processAlive(pid)).toBe(false);
  });
});
