import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { processRunning } from "../../test/support/process-alive.js";
import { allEnded, parentAndChild, pidsIn } from "../../test/support/process-group.js";
import { identityOf } from "../util/process-identity.js";
import { takeOverFrom, withBuildLock } from "./build-lock.js";

/** A PID no process has now: one that ran and exited. */
const exitedPid = () => spawnSync("true").pid;

// The start times that tell a PID's processes apart come from /proc.
describe.skipIf(!existsSync("/proc/self/stat"))("the engine build lock", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-build-lock-"));
  const started: number[] = [];
  afterAll(() => {
    for (const pid of started) if (processRunning(pid)) process.kill(pid, "SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A lock as a holder left it: its PID (and start time), and the group its build step ran in. */
  function leftLock(name: string, holder: number, started?: string, group?: string): string {
    const directory = join(scratch, name);
    mkdirSync(`${directory}.lock`, { recursive: true });
    writeFileSync(join(`${directory}.lock`, "pid"), String(holder));
    if (started !== undefined) writeFileSync(join(`${directory}.lock`, "started"), started);
    if (group !== undefined) writeFileSync(join(`${directory}.lock`, "group"), group);
    return directory;
  }

  /** Takes the lock at `directory` with nothing to build; what it reported. */
  async function takeOver(directory: string): Promise<string[]> {
    const reports: string[] = [];
    await withBuildLock(
      directory,
      (line) => reports.push(line),
      async () => undefined,
    );
    return reports;
  }

  // `serve` killed outright during a first-run build runs no exit hook: cmake, make and the compilers
  // went on (about 20 s in one check) beside the next build, which took over the lock of the dead holder.
  it("ends the build a holder killed outright left running, when the next build takes the lock over", async () => {
    const directory = join(scratch, "killed");
    const [pidFile, script] = [join(scratch, "killed.pid"), join(scratch, "killed.mjs")];
    writeFileSync(
      script,
      `const { withBuildLock } = await import(${JSON.stringify(join(import.meta.dirname, "build-lock.ts"))});\n` +
        `const { runCommand } = await import(${JSON.stringify(join(import.meta.dirname, "..", "util", "run-command.ts"))});\n` +
        `await withBuildLock(${JSON.stringify(directory)}, () => {}, (lock) =>\n` +
        `  runCommand("sh", ${JSON.stringify(parentAndChild(pidFile))}, { ownGroup: true, onSpawn: lock.holdsGroup }));\n`,
    );
    const holder = spawn(process.execPath, ["--import", "tsx", script], { stdio: "ignore" });
    const exited = new Promise((resolve) => holder.once("close", (_code, signal) => resolve(signal)));
    const pids = await pidsIn(pidFile, started);
    // The holder notes the group once spawn has returned, which can come after the shell has written its PIDs.
    await vi.waitFor(() => expect(existsSync(join(`${directory}.lock`, "group"))).toBe(true), {
      timeout: 10_000,
      interval: 20,
    });
    holder.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    // Nothing of the holder's ended its group.
    for (const pid of pids) expect(processRunning(pid)).toBe(true);

    expect((await takeOver(directory)).join("\n")).toContain("ended the build left running");
    await allEnded(pids);
    expect(existsSync(`${directory}.lock`)).toBe(false);
  });

  it("leaves a group alone when its leader is not the process the lock recorded", async () => {
    const pidFile = join(scratch, "other.pid");
    const other = spawn("sh", parentAndChild(pidFile), { detached: true, stdio: "ignore" });
    const pids = await pidsIn(pidFile, started);
    // Recorded with another start time: the PID was given to this process after the holder's leader ended.
    const directory = leftLock("other", exitedPid(), undefined, `${other.pid} 1`);
    expect(await takeOver(directory)).toEqual([]);
    for (const pid of pids) expect(processRunning(pid)).toBe(true);
    process.kill(-(other.pid as number), "SIGKILL");
  });

  it("takes over at once from a holder whose PID is now another process's", async () => {
    // This process, with a start time that is not its own: the holder's PID, given to it after the holder died.
    const directory = leftLock("reused", process.pid, "1");
    expect(await takeOver(directory)).toEqual([]);
  });

  // Two processes read the same dead holder; the first takes over and builds. The second, slower, acts on
  // what it read: before, it removed the first one's new lock and built beside it.
  it("does not remove a lock taken since its dead holder was read", async () => {
    const dead = { pid: exitedPid(), started: "1" };
    const directory = leftLock("raced", dead.pid, dead.started);
    const lock = `${directory}.lock`;
    // The first takes it over and holds it (this process stands for it).
    expect(takeOverFrom(lock, () => {})).toBe(true);
    leftLock("raced", process.pid, identityOf(process.pid).started);
    // The second acts on the dead holder it read before: under the mark it reads the holder again, alive.
    expect(takeOverFrom(lock, () => {})).toBe(false);
    expect(readFileSync(join(lock, "pid"), "utf8")).toBe(String(process.pid));
    rmSync(lock, { recursive: true });
  });

  it("leaves the takeover to the process doing it, and clears the mark of one that died doing it", async () => {
    const dead = { pid: exitedPid(), started: "1" };
    const directory = leftLock("marked", dead.pid, dead.started);
    const lock = `${directory}.lock`;
    mkdirSync(`${lock}.takeover`);
    writeFileSync(join(`${lock}.takeover`, "pid"), String(process.pid));
    expect(takeOverFrom(lock, () => {})).toBe(false);
    expect(existsSync(lock)).toBe(true);
    // Its maker gone: the mark is cleared, and the next try takes the lock over.
    writeFileSync(join(`${lock}.takeover`, "pid"), String(exitedPid()));
    expect(takeOverFrom(lock, () => {})).toBe(false);
    expect(existsSync(`${lock}.takeover`)).toBe(false);
    expect(await takeOver(directory)).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose holder never wrote itself, once it has stood long enough", async () => {
    const directory = join(scratch, "unwritten");
    const lock = `${directory}.lock`;
    mkdirSync(lock);
    // A holder that died between making the directory and writing its PID; just made, it is waited on.
    expect(takeOverFrom(lock, () => {})).toBe(false);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    expect(takeOverFrom(lock, () => {})).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it("records its holder and the group of the step it runs", async () => {
    const directory = join(scratch, "held");
    await withBuildLock(
      directory,
      () => {},
      async (lock) => {
        // The PID alone, as earlier versions wrote and read it; its start time beside it.
        expect(readFileSync(join(`${directory}.lock`, "pid"), "utf8")).toBe(String(process.pid));
        expect(readFileSync(join(`${directory}.lock`, "started"), "utf8")).toBe(identityOf(process.pid).started);
        lock.holdsGroup(process.pid);
        expect(readFileSync(join(`${directory}.lock`, "group"), "utf8")).toMatch(new RegExp(`^${process.pid} \\d+$`));
      },
    );
  });
});
