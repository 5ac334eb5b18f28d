import { spawn } from "node:child_process";

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
}

/** Runs a program without a shell, collecting its output; never throws for a non-zero exit. */
export function runCommand(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      signal: options.signal,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Our own timer rather than spawn's `timeout`, which is never cleared when the program is not found.
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
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
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (options.onLine && pending) options.onLine(pending);
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
