import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { processRunning } from "../../test/support/process-alive.js";
import { allEnded, parentAndChild, pidsIn } from "../../test/support/process-group.js";
import { runCommand } from "./run-command.js";

describe("runCommand in a group of its own", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-run-command-"));
  const started: number[] = [];
  afterAll(() => {
    for (const pid of started) if (processRunning(pid)) process.kill(pid, "SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  });

  it("ends the program and what it started on an abort, and rejects as spawn's own signal does", async () => {
    const pidFile = join(scratch, "abort.pid");
    const controller = new AbortController();
    const running = runCommand("sh", parentAndChild(pidFile), { ownGroup: true, signal: controller.signal });
    const pids = await pidsIn(pidFile, started);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    await allEnded(pids);
  });

  it("ends all of it on a timeout", async () => {
    const pidFile = join(scratch, "timeout.pid");
    const running = runCommand("sh", parentAndChild(pidFile), { ownGroup: true, timeoutMs: 1_000 });
    const pids = await pidsIn(pidFile, started);
    expect((await running).code).toBeNull();
    await allEnded(pids);
  });

  // The process that ran it, ended by a signal: left to the default action (`engine install`), or through
  // its own handler that exits (`serve`'s, the exit ends the group). Before, make and the compilers of a
  // first-run build went on after both, beside a lock that named a dead process.
  it.each([
    ["no handler of its own", "", { code: null, signal: "SIGTERM" }],
    ["a handler that exits", 'process.on("SIGTERM", () => process.exit(143));', { code: 143, signal: null }],
  ])("ends all of it when the process that ran it is ended by SIGTERM, with %s", async (name, handler, ended) => {
    const base = join(scratch, name.replaceAll(" ", "-"));
    const [pidFile, script] = [`${base}.pid`, `${base}.mjs`];
    writeFileSync(
      script,
      `${handler}\nconst { runCommand } = await import(${JSON.stringify(join(import.meta.dirname, "run-command.ts"))});\n` +
        `await runCommand("sh", ${JSON.stringify(parentAndChild(pidFile))}, { ownGroup: true });\n`,
    );
    const runner = spawn(process.execPath, ["--import", "tsx", script], { stdio: "ignore" });
    const exited = new Promise((resolve) => runner.once("close", (code, signal) => resolve({ code, signal })));
    const pids = await pidsIn(pidFile, started);
    runner.kill("SIGTERM");
    expect(await exited).toEqual(ended);
    await allEnded(pids);
  });
});
