import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { freePort } from "../util/free-port.js";
import { LineRing } from "../util/line-ring.js";

export interface EngineOptions {
  binary: string;
  model: string;
  /** Extra llama-server arguments (slots, context size, …). */
  args?: readonly string[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** How long to wait for /health to answer 200 (model loading included). */
  readyTimeoutMs?: number;
  /** Restarts allowed within `restartWindowMs` before the supervisor gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Also write the engine's whole log here. */
  logFile?: string;
  onEvent?: (event: EngineEvent) => void;
}

export type EngineEvent =
  | { type: "starting"; attempt: number; port: number }
  | { type: "ready"; url: string; pid: number }
  | { type: "exited"; code: number | null; signal: NodeJS.Signals | null; logTail: string }
  | { type: "restarting"; attempt: number; delayMs: number }
  | { type: "gave-up"; reason: string; logTail: string };

export class EngineStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- last lines of the llama-server log ---\n${logTail}`);
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whatever happens to this process, the engines it started do not outlive it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) if (child.pid && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  });
}

/**
 * Runs one llama-server: starts it on a loopback port, waits for /health, restarts it (bounded) when it
 * dies, and stops it by PID. The log's tail is kept for error messages.
 */
export class EngineSupervisor {
  private child: ChildProcess | undefined;
  private readonly log = new LineRing(200);
  private logStream: WriteStream | undefined;
  private stopping = false;
  private restarts: number[] = [];
  private port = 0;
  private readonly host: string;
  private readyWaiters: Array<() => void> = [];
  private paused = false;

  private constructor(private readonly options: EngineOptions) {
    this.host = options.host ?? "127.0.0.1";
    if (options.logFile) this.logStream = createWriteStream(options.logFile, { flags: "a" });
  }

  /** Starts the engine and resolves once it serves; rejects with the log's tail if it cannot start. */
  static async start(options: EngineOptions): Promise<EngineSupervisor> {
    installExitHook();
    const supervisor = new EngineSupervisor(options);
    supervisor.port = options.port || (await freePort(supervisor.host));
    try {
      await supervisor.launch(1);
    } catch (error) {
      await supervisor.stop();
      throw error;
    }
    return supervisor;
  }

  get url(): string {
    return `http://${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  logTail(lines = 40): string {
    return this.log.tail(lines);
  }

  /** llama-server's /props: slot count, context size, chat template, build. */
  async props(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.url}/props`, { signal: signal ?? AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`GET /props answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }

  /** Resolves when the engine is serving (immediately if it is). */
  async ready(): Promise<void> {
    if (this.child && this.child.exitCode === null && (await this.healthy())) return;
    await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  private emit(event: EngineEvent): void {
    this.options.onEvent?.(event);
  }

  private async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  private async launch(attempt: number): Promise<void> {
    this.emit({ type: "starting", attempt, port: this.port });
    const args = [
      "--model",
      this.options.model,
      "--host",
      this.host,
      "--port",
      String(this.port),
      ...(this.options.args ?? []),
    ];
    const child = spawn(this.options.binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    running.add(child);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.log.push(text);
      this.logStream?.write(text);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on("exit", (code, signal) => resolve({ code, signal }));
      child.on("error", (error) => {
        this.log.push(`failed to start ${this.options.binary}: ${error.message}\n`);
        resolve({ code: null, signal: null });
      });
    });
    exited.then((status) => this.onExit(child, status));

    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
        await exited;
        if (/couldn't bind|address already in use/i.test(this.log.tail(20)) && attempt < 3) {
          this.port = await freePort(this.host);
          return this.launch(attempt + 1);
        }
        throw new EngineStartError(`llama-server exited while starting`, this.log.tail(40));
      }
      if (await this.healthy()) {
        this.emit({ type: "ready", url: this.url, pid: child.pid });
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return;
      }
      await delay(100);
    }
    throw new EngineStartError(
      `llama-server did not become ready within ${this.options.readyTimeoutMs ?? 120_000} ms`,
      this.log.tail(40),
    );
  }

  private onExit(child: ChildProcess, status: { code: number | null; signal: NodeJS.Signals | null }): void {
    running.delete(child);
    if (this.child !== child || this.stopping) return;
    const logTail = this.log.tail(40);
    this.emit({ type: "exited", ...status, logTail });
    const window = this.options.restartWindowMs ?? 60_000;
    const now = Date.now();
    this.restarts = this.restarts.filter((time) => now - time < window);
    if (this.restarts.length >= (this.options.maxRestarts ?? 3)) {
      this.emit({
        type: "gave-up",
        reason: `llama-server died ${this.restarts.length + 1} times within ${window / 1000} s`,
        logTail,
      });
      return;
    }
    this.restarts.push(now);
    const delayMs = 250 * 2 ** (this.restarts.length - 1);
    this.emit({ type: "restarting", attempt: this.restarts.length, delayMs });
    delay(delayMs)
      .then(() => (this.stopping ? undefined : this.launch(1 + this.restarts.length)))
      .catch((error: Error) => {
        this.emit({ type: "gave-up", reason: error.message, logTail: this.log.tail(40) });
      });
  }

  /** True between `pause()` and `resume()`. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Stops the engine to hand the machine to something else (`bench sweep` launching engines of its own),
   * keeping its options, port and log for `resume()`. Not a crash: no restart follows.
   */
  async pause(graceMs = 5000): Promise<void> {
    this.stopping = true;
    this.paused = true;
    await this.killChild(graceMs);
  }

  /** Starts a paused engine again, on its port when still free, and resolves once it serves. */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.stopping = false;
    this.restarts = [];
    await this.launch(1);
    this.paused = false;
  }

  /** Stops the engine by PID: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    await this.killChild(graceMs);
    await new Promise<void>((resolve) => (this.logStream ? this.logStream.end(resolve) : resolve()));
  }

  private async killChild(graceMs: number): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child as ChildProcess);
  }
}
