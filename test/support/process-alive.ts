import { stillRunning } from "../../src/util/process-identity.js";

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
 * Running, not a zombie waiting for whoever adopted it to reap it (where there is no /proc, as
 * processAlive). processAlive counts a zombie as alive, and an orphan's zombie can stay until the
 * machine's init reaps it.
 */
export const processRunning = (pid: number) => stillRunning({ pid });
