import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called with each complete line of stdout and stderr as it arrives. */
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * Runs the program in a process group of its own and ends the whole group (a build's make and
   * compilers, git's helpers) on a timeout, an abort, this process's exit, or a signal that ends it.
   * Without it only the program itself is killed, and what it started runs on.
   */
  ownGroup?: boolean;
  /** Called with the program's PID once it has started (with ownGroup, its group's too). */
  onSpawn?: (pid: number) => void;
}

/** Signals whose default action ends a process: each ends the program's group on its way. */
const ENDING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ends the group of the program once `attach`ed to its PID: with SIGTERM when this process exits, or is
 * ended by a signal no one else handles, until `stop`; `end` ends it now. Watching starts before the
 * program does, so a signal that comes while it starts still reaches its group (signal listeners run
 * after the code that spawns it). A signal someone handles is theirs: `switchyard serve` exits through its
 * own handler, and the exit ends the group.
 */
function endGroupWithThisProcess(): {
  attach: (pid: number) => void;
  end: (signal?: NodeJS.Signals) => void;
  stop: () => void;
} {
  let group: number | undefined;
  const end = (signal: NodeJS.Signals = "SIGTERM") => {
    if (group === undefined) return;
    try {
      process.kill(-group, signal);
    } catch {
      // Gone already.
    }
  };
  const onExit = () => end();
  process.once("exit", onExit);
  const taken = ENDING_SIGNALS.filter((signal) => process.listenerCount(signal) === 0).map((signal) => {
    const onSignal = () => {
      end();
      // No listener left: the signal ends this process by its default action, as it would have.
      stop();
      process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
    return [signal, onSignal] as const;
  });
  const stop = () => {
    process.off("exit", onExit);
    for (const [signal, onSignal] of taken) process.off(signal, onSignal);
  };
  return {
    attach: (pid) => {
      group = pid;
    },
    end,
    stop,
  };
}

/** Runs a program without a shell, collecting its output; never throws for a non-zero exit. */
export function runCommand(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  // Process groups are POSIX's; on Windows `detached` opens a console of its own instead.
  const ownGroup = options.ownGroup === true && process.platform !== "win32";
  return new Promise((resolve, reject) => {
    const group = ownGroup ? endGroupWithThisProcess() : undefined;
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(program, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        // In its own group, the abort below ends all of it, not the program alone.
        signal: ownGroup ? undefined : options.signal,
        detached: ownGroup,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      group?.stop();
      reject(error);
      return;
    }
    // No PID when it could not start: its `error` event comes next, and stops the watching.
    if (child.pid !== undefined) {
      group?.attach(child.pid);
      options.onSpawn?.(child.pid);
    }
    const kill = () => (group ? group.end("SIGKILL") : child.kill("SIGKILL"));
    const onAbort = () => group?.end();
    if (group) options.signal?.addEventListener("abort", onAbort, { once: true });
    if (group && options.signal?.aborted) onAbort();
    // Our own timer rather than spawn's `timeout`, which is never cleared when the program is not found.
    const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
    const done = () => {
      clearTimeout(timer);
      group?.stop();
      options.signal?.removeEventListener("abort", onAbort);
    };
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let pending = "";
    const collect = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      chunks[stream].push(chunk);
      if (!options.onLine) return;
      pending += chunk.toString("utf8");
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines) options.onLine(line);
    };
    child.stdout.on("data", collect("stdout"));
    child.stderr.on("data", collect("stderr"));
    child.on("error", (error) => {
      done();
      reject(error);
    });
    child.on("close", (code) => {
      done();
      if (options.onLine && pending) options.onLine(pending);
      // A group ended by the abort rejects with the abort's reason (spawn's own `signal` rejects too).
      if (group && options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      resolve({
        code,
        stdout: Buffer.concat(chunks.stdout).toString("utf8"),
        stderr: Buffer.concat(chunks.stderr).toString("utf8"),
      });
    });
  });
}

/** True when `program` can be started (found on PATH or as a path). */
export async function canRun(program: string, args: readonly string[] = ["--version"]): Promise<boolean> {
  try {
    const result = await runCommand(program, args, { timeoutMs: 20_000 });
    return result.code === 0;
  } catch {
    return false;
  }
}
