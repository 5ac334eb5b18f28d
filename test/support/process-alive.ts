import { existsSync, readFileSync } from "node:fs";

/** Whether a process with this PID is still running. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Running, not a zombie waiting for whoever adopted it to reap it (read from /proc; where there is none,
 * as processAlive). processAlive counts a zombie as alive, and an orphan's zombie can stay until the
 * machine's init reaps it.
 */
export function processRunning(pid: number): boolean {
  if (!existsSync("/proc/self/stat")) return processAlive(pid);
  const stat = `/proc/${pid}/stat`;
  return existsSync(stat) && !/^\d+ \(.*\) Z/.test(readFileSync(stat, "utf8"));
}
