import { existsSync, readFileSync } from "node:fs";
import { expect, vi } from "vitest";
import { processRunning } from "./process-alive.js";

/**
 * A program that starts one of its own (as cmake starts make and the compilers): a shell that runs a
 * sleep in the background, writes both PIDs to `pidFile`, and waits.
 */
export const parentAndChild = (pidFile: string) => ["-c", `sleep 600 & echo "$$ $!" > "${pidFile}"; wait`];

/** The shell's and its sleep's PIDs once the shell has written them, both running; added to `started`. */
export async function pidsIn(pidFile: string, started: number[]): Promise<number[]> {
  await vi.waitFor(() => expect(existsSync(pidFile) && readFileSync(pidFile, "utf8")).toMatch(/^\d+ \d+\n/), {
    timeout: 10_000,
    interval: 20,
  });
  const pids = readFileSync(pidFile, "utf8").trim().split(" ").map(Number);
  started.push(...pids);
  for (const pid of pids) expect(processRunning(pid)).toBe(true);
  return pids;
}

/** Resolves once none of `pids` runs (a zombie does not count); fails after 5 s. */
export const allEnded = (pids: number[]) =>
  vi.waitFor(() => expect(pids.filter(processRunning)).toEqual([]), { timeout: 5_000, interval: 20 });
