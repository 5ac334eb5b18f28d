import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  formatIdentity,
  identityOf,
  type ProcessIdentity,
  parseIdentity,
  stillRunning,
} from "../util/process-identity.js";
import type { Report } from "./llama-source.js";

/** What the holder of a build lock tells it while it builds. */
export interface BuildLock {
  /** The process group a build step runs in (its leader's PID), ended by whoever takes over from a holder that died. */
  holdsGroup(leader: number): void;
}

const readText = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * The holder: `pid` holds its PID alone, as every version of the lock has written it (an earlier Switchyard
 * sharing the cache reads it so), and `started` its start time beside it.
 */
function holderOf(lock: string): ProcessIdentity | undefined {
  const holder = parseIdentity(readText(join(lock, "pid")) ?? "");
  return holder && { pid: holder.pid, started: readText(join(lock, "started"))?.trim() || undefined };
}

function writeHolder(lock: string): void {
  const holder = identityOf(process.pid);
  writeFileSync(join(lock, "pid"), String(holder.pid));
  if (holder.started !== undefined) writeFileSync(join(lock, "started"), holder.started);
}

/**
 * A holder that died without letting go (killed with SIGKILL, say, which runs no exit hook) can leave its
 * build step's group running: make and the compilers go on until their next write to the closed pipe
 * (about 20 s in one check), and a new build beside them would write the same files. Its group is ended
 * here, but only while its leader is the very process recorded (the same PID started at the same
 * moment); where the start time cannot be read, a reused PID could name someone else's group, and it is
 * left alone.
 */
function endLeftGroup(lock: string, report: Report): void {
  const leader = parseIdentity(readText(join(lock, "group")) ?? "");
  if (!leader || leader.started === undefined || !stillRunning(leader)) return;
  try {
    process.kill(-leader.pid, "SIGKILL");
    report(`ended the build left running by a process that died (process group ${leader.pid})`);
  } catch {
    // Gone already.
  }
}

/** One build per cache entry at a time, across processes (tests and a user's shell may race). */
export async function withBuildLock<T>(
  directory: string,
  report: Report,
  work: (lock: BuildLock) => Promise<T>,
): Promise<T> {
  const lock = `${directory}.lock`;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeHolder(lock);
      break;
    } catch {
      const owner = holderOf(lock);
      // A holder gone, or its PID now another process's: the lock is free, once what it left is ended.
      if (owner && !stillRunning(owner)) {
        endLeftGroup(lock, report);
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) report(`waiting for another llama-server build (pid ${owner?.pid ?? "?"}) to finish`);
      announced = true;
      await delay(2000);
    }
  }
  try {
    return await work({
      holdsGroup: (leader) => writeFileSync(join(lock, "group"), formatIdentity(identityOf(leader))),
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
