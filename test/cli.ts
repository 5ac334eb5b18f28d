import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAIN = join(import.meta.dirname, "..", "src", "cli", "main.ts");

/** Runs the switchyard CLI from source with a scratch config, so a user's own config never leaks in. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  { stdin = "ignore" as "ignore" | "pipe" } = {},
): ChildProcess {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
  return spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    env: { ...process.env, SWITCHYARD_CONFIG: join(scratch, "config.json"), XDG_STATE_HOME: scratch, ...env },
    stdio: [stdin, "pipe", "pipe"],
  });
}

export interface CliResult {
  code: number | null;
  /** The signal that killed it, when one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** What a started CLI printed and how it ended, once its output has closed. Call it before it can print. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return finished(startCli(args, env));
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let errors = "";
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms\n${errors}`)),
      timeoutMs,
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}\n${errors}`));
    });
  });
}
