import { spawn } from "node:child_process";
import { closeSync, openSync, readSync, statSync, truncateSync } from "node:fs";

export interface GroupRunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Set when the program could not be started at all (missing working directory, say). */
  spawnError?: string;
  logBytes: number;
  /** The last bytes of the log, decoded as UTF-8 with U+FFFD for invalid sequences. */
  tail: string;
}

export interface GroupRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  logFile: string;
  /** Prefix, such as `unshare -n`, that the shell command runs under. */
  wrapper?: readonly string[];
  stdin?: string;
}

/** Logs past this are cut: a 50 MB log must not fill the disk once per run, nor be read back whole. */
const LOG_CAP_BYTES = 8 * 1024 * 1024;
const TAIL_BYTES = 64 * 1024;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** The last `TAIL_BYTES` of a file, decoded leniently: test output is not always valid UTF-8. */
export function readTail(path: string): { bytes: number; tail: string } {
  let bytes = 0;
  try {
    bytes = statSync(path).size;
  } catch {
    return { bytes: 0, tail: "" };
  }
  const length = Math.min(bytes, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, length, bytes - length);
  } finally {
    closeSync(fd);
  }
  return { bytes, tail: new TextDecoder("utf-8", { fatal: false }).decode(buffer) };
}

/**
 * Runs `sh -c command` as the leader of its own process group, stdout and stderr straight into a log file
 * (a pipe would keep us waiting on any grandchild that still holds it). At the timeout, and again after
 * the leader exits, the whole group is killed, so no background child of an agent outlives its run.
 */
export function runInGroup(command: string, options: GroupRunOptions): Promise<GroupRunResult> {
  const started = performance.now();
  const logFd = openSync(options.logFile, "w");
  const argv = [...(options.wrapper ?? []), "sh", "-c", command];
  const program = argv[0] as string;
  const args = argv.slice(1);
  return new Promise((resolve) => {
    let timedOut = false;
    const finish = (exitCode: number | null, signal: string | null, spawnError?: string) => {
      clearTimeout(timer);
      killGroup(child.pid);
      closeSync(logFd);
      let { bytes } = readTail(options.logFile);
      if (bytes > LOG_CAP_BYTES) truncateSync(options.logFile, LOG_CAP_BYTES);
      const { tail } = readTail(options.logFile);
      bytes = Math.max(bytes, 0);
      resolve({
        exitCode,
        signal,
        timedOut,
        durationMs: performance.now() - started,
        ...(spawnError ? { spawnError } : {}),
        logBytes: bytes,
        tail,
      });
    };
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", logFd, logFd],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(options.stdin);
    }
    let settled = false;
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      finish(null, null, error.message);
    });
    child.on("exit", (code, signal) => {
      if (settled) return;
      settled = true;
      finish(code, signal);
    });
  });
}
