import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatTable } from "../src/bench/format-table.js";
import { loadConfig } from "../src/config/load-config.js";
import { ensureEngine } from "../src/engine/engine-locate.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import type { TestModelSize } from "../src/test-model/test-model-shapes.js";

/** The real engine and a test model, built or generated on first use (as the test setup does). */
export async function benchEngine(size: TestModelSize = "tiny"): Promise<{ binary: string; model: string }> {
  const say = (message: string) => process.stderr.write(`${message}\n`);
  const engine = await ensureEngine(loadConfig(), { report: say });
  const model = await ensureTestModel({ size }, say);
  return { binary: engine.path, model };
}

export { median, percentile } from "../src/bench/statistics.js";

/** Prints a fixed-width table. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  console.log(formatTable(headers, rows));
}

/** Writes results to bench/results/<name>.json and says where. */
export function writeResults(name: string, results: unknown): string {
  const directory = join(import.meta.dirname, "results");
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path}`);
  return path;
}

/**
 * A script in a child process (TypeScript through tsx, JavaScript as it is), ready once it prints
 * `listening on URL`. `launcher` runs node through another command (`nice -n -5`); its children inherit
 * what it sets. `node` is the Node binary (this process's by default). `stop` resolves once it has exited
 * (a `--cpu-prof` profile is written by then).
 */
export async function startChild(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
  launcher: string[] = [],
  node = process.execPath,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const [command, ...prefix] = [...launcher, node];
  const loader = args[0]?.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(command as string, [...prefix, ...nodeArgs, ...loader, ...args], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    pid: child.pid as number,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

const THIS_CHECKOUT = join(import.meta.dirname, "..");
/** Checkouts built in this run. */
const built = new Set<string>();

/**
 * The CLI of a checkout as it ships, `dist/cli/main.js` (what `npm start` and the `switchyard` bin run),
 * compiled first by the checkout's own `npm run build`, so a change since the last build is measured. Not
 * the sources through tsx: its transform wraps every named closure in a `__name` call, run each time the
 * closure is made, and its loader holds every module's source and source map (~20 MiB more RSS).
 */
export function shippedCli(checkout = THIS_CHECKOUT): string {
  if (!built.has(checkout)) {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: checkout, stdio: ["ignore", "ignore", "inherit"] });
    built.add(checkout);
  }
  return join(checkout, "dist", "cli", "main.js");
}

/**
 * `switchyard serve` of a checkout (this one by default; as it ships: `shippedCli`) in front of one
 * backend, with no user config.
 * BENCH_PROFILE=DIR writes the gateway's CPU profile there when it stops (open it in Chrome's DevTools);
 * BENCH_PROFILE_INTERVAL_US sets its sampling interval (Node's default, 1000 µs, leaves a request only a
 * few samples). BENCH_GATEWAY_NODE_FLAGS (space-separated) are given to this checkout's gateway only,
 * not to BENCH_BASELINE's, so a Node or V8 setting is measured beside the same build without it.
 * BENCH_BASELINE_NODE is the Node binary that runs BENCH_BASELINE's gateway (this process's by default).
 */
export const startGateway = (backendUrl: string, checkout = THIS_CHECKOUT) =>
  startChild(
    [shippedCli(checkout), "serve", "--backend", backendUrl, "--port", "0"],
    { SWITCHYARD_CONFIG: "/nonexistent/switchyard-bench.json", XDG_STATE_HOME: "/tmp/switchyard-bench-state" },
    [
      ...(process.env.BENCH_PROFILE
        ? [
            "--cpu-prof",
            `--cpu-prof-dir=${process.env.BENCH_PROFILE}`,
            `--cpu-prof-interval=${process.env.BENCH_PROFILE_INTERVAL_US ?? 1000}`,
          ]
        : []),
      ...(checkout === THIS_CHECKOUT ? (process.env.BENCH_GATEWAY_NODE_FLAGS?.split(" ").filter(Boolean) ?? []) : []),
    ],
    [],
    checkout !== THIS_CHECKOUT && process.env.BENCH_BASELINE_NODE ? process.env.BENCH_BASELINE_NODE : process.execPath,
  );
