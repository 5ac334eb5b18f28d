import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { inject } from "vitest";

/**
 * llama-server as a user starts it by hand: the real engine and test model on `port`, with `args`, and
 * nothing of Switchyard's around it (no supervisor to restart it). Resolves once /health answers 200.
 * With `router`, no model: llama-server's router mode, its models given in `args` (`--models-preset`).
 * With `apiPrefix`, it serves under that path (`--api-prefix`), and `url` ends with it.
 */
export interface UserLlamaServer {
  url: string;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export async function startUserLlamaServer(
  port: number,
  args: string[],
  options: { router?: boolean; apiPrefix?: string } = {},
): Promise<UserLlamaServer> {
  const url = `http://127.0.0.1:${port}${options.apiPrefix ?? ""}`;
  const model = options.router ? [] : ["-m", inject("testModel")];
  const prefix = options.apiPrefix ? ["--api-prefix", options.apiPrefix] : [];
  const child: ChildProcess = spawn(
    inject("llamaServer"),
    [...model, ...prefix, "--host", "127.0.0.1", "--port", String(port), "--no-webui", ...args],
    { stdio: "ignore" },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (healthy) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error("llama-server did not become healthy within 60 s");
}
