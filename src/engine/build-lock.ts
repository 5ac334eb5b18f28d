import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/**
 * How long a lock, or a takeover's mark, may stand with no holder written: one whose process died between
 * making the directory and writing its PID would otherwise be waited on for ever.
 */
const UNWRITTEN_HOLDER_MS = 30_000;

/** The holder, or for one that never wrote itself, long enough ago, a holder known to be gone. */
function holderOrGone(lock: string): ProcessIdentity | "gone" | undefined {
  const holder = holderOf(lock);
  if (holder) return stillRunning(holder) ? holder : "gone";
  try {
    return Date.now() - statSync(lock).mtimeMs > UNWRITTEN_HOLDER_MS ? "gone" : undefined;
  } catch {
    // Let go of meanwhile.
    return undefined;
  }
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

/**
 * Removes the lock of a holder that is gone (true when it did), once what it left running is ended. Two
 * processes can read the same gone holder, and one of them can be slow: by the time it acts, the other may
 * have removed that lock and taken a new one. So the holder is read again under a mark of the takeover's
 * own (`<lock>.takeover`, made by one process at a time, with its maker), and the lock removed only if
 * that holder is gone too. A mark whose maker is gone is cleared for the next try.
 * (Two processes clearing the same gone mark at once could still both go on: that needs a process to die in
 * the microseconds of a takeover and two more to start together.)
 */
export function takeOverFrom(lock: string, report: Report): boolean {
  const mark = `${lock}.takeover`;
  try {
    mkdirSync(mark);
  } catch {
    if (holderOrGone(mark) === "gone") rmSync(mark, { recursive: true, force: true });
    return false;
  }
  try {
    writeHolder(mark);
    if (holderOrGone(lock) !== "gone") return false;
    endLeftGroup(lock, report);
    rmSync(lock, { recursive: true, force: true });
    return true;
  } finally {
    rmSync(mark, { recursive: true, force: true });
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
      const holder = holderOrGone(lock);
      // A holder gone, or its PID now another process's: the lock is free, once what it left is ended.
      if (holder === "gone") {
        // Taken over here, tried again at once; else being taken over by another process: in a moment.
        if (!takeOverFrom(lock, report)) await delay(50);
        continue;
      }
      if (!announced) report(`waiting for another llama-server build (pid ${holder?.pid ?? "?"}) to finish`);
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
