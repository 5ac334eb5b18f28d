import { spawn } from "node:child_process";
import { freePort } from "../util/free-port.js";
import { EngineMemoryLog, type EngineMemoryReport } from "./engine-memory-log.js";

export interface DryRunOptions {
  llamaServer: string;
  model: string;
  /** Engine flags for the context and placement: -c, -np, -ctk, -ctv, -ub, --n-cpu-moe, … */
  args: readonly string[];
  /**
   * Also wait for the real load to print the weights' buffer (0.01 MiB; the dry run's table has whole
   * MiB only). The process is stopped before it allocates the KV cache.
   */
  weights?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class EngineDryRunError extends Error {
  readonly code = "engine_dry_run_failed";
  constructor(
    message: string,
    readonly tail: string,
  ) {
    super(message);
  }
}

/**
 * Starts llama-server with `-lv 5`, reads its `--fit` dry run (the engine loads the model with no_alloc
 * and reports what it would allocate, about a second) and stops it, by PID, as soon as it has what was
 * asked. `--no-repack` keeps CPU weights in one mapped buffer, which is what a GPU build sizes too.
 */
export async function engineDryRun(options: DryRunOptions): Promise<EngineMemoryReport> {
  const port = await freePort();
  const args = [
    "-m",
    options.model,
    ...options.args,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "-lv",
    "5",
    "--no-warmup",
    "--no-repack",
    "-fit",
    "on",
  ];
  const log = new EngineMemoryLog();
  const tail: string[] = [];
  const child = spawn(options.llamaServer, args, { stdio: ["ignore", "pipe", "pipe"] });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  return await new Promise<EngineMemoryReport>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      stop();
      if (error) reject(error);
      else resolve(log.report);
    };
    const onAbort = () => finish(new EngineDryRunError("the dry run was cancelled", tail.join("\n")));
    const timer = setTimeout(
      () =>
        finish(
          new EngineDryRunError(
            `llama-server printed no memory breakdown within ${options.timeoutMs ?? 60_000} ms`,
            tail.join("\n"),
          ),
        ),
      options.timeoutMs ?? 60_000,
    );
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    let pending = "";
    const onData = (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes(" D create_tensor:")) {
          tail.push(line);
          if (tail.length > 40) tail.shift();
        }
        log.add(line);
        const done = options.weights ? log.phase === "loaded" : log.phase !== "dry-run";
        if (done) return finish();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error) =>
      finish(new EngineDryRunError(`could not start ${options.llamaServer}: ${error.message}`, "")),
    );
    child.on("close", (code) =>
      finish(new EngineDryRunError(`llama-server exited (${code}) before reporting its memory`, tail.join("\n"))),
    );
  });
}
