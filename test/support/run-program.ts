import { spawn } from "node:child_process";

export interface ProgramRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a real client program with only the given environment and stdin closed (or fed `input`), killing
 * it (by PID) after `timeoutMs`.
 */
export function runProgram(
  program: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): Promise<ProgramRun> {
  return new Promise((resolve) => {
    const spawnOptions = { cwd: options.cwd, env: options.env };
    const child =
      options.input === undefined
        ? spawn(program, args, { ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] })
        : spawn(program, args, { ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
