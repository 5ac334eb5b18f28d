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
 * Running, not a zombie waiting for whoever adopted it to reap it (Linux: /proc). processAlive counts a
 * zombie as alive; an orphan's zombie can stay until the machine's init reaps it.
 */
export function processRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  return existsSync(stat) && !/^\d+ \(.*\) Z/.test(readFileSync(stat, "utf8"));
}
