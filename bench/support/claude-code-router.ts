/**
 * claude-code-router (npm `@musistudio/claude-code-router`), the peer bench:overhead measures beside
 * Switchyard. It is not a dependency of the product: `npm install` of 3.1.1 fails because two of its
 * dependencies (`@the-next-ai/ai-gateway`, `@the-next-ai/bot-gateway-sdk`) answer 404 on the registry.
 * Its tarball runs without them (its gateway is bundled in dist/main), so it is fetched with `npm pack`
 * into a cache directory keyed by version, unpacked, and given the one native module its CLI loads,
 * better-sqlite3, by a link to Switchyard's own (same major, already built for this Node; building
 * another would need a download from GitHub).
 *
 * It runs as its users run it: `ccr serve` (management service) with HOME pointed at a temporary
 * directory holding a legacy `~/.claude-code-router/config.json` (which 3.x imports on first start) that
 * routes to one OpenAI-compatible provider. `serve` starts the gateway as a child process
 * (gateway-bootstrap.js); both are counted for RSS. It rewrites `~/.claude/settings.json` under that
 * HOME, which is why HOME must not be the user's.
 */
import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";
import { npmPack } from "../../src/util/npm-pack.js";
import { cacheDirectory } from "../../src/util/paths.js";

export const CLAUDE_CODE_ROUTER_VERSION = "3.1.1";
/** The model id a client asks claude-code-router for: the one model of its one provider. */
export const CLAUDE_CODE_ROUTER_MODEL = "local";
/** Its client key (`APIKEY`); sent as `x-api-key`, as Claude Code sends it. */
export const CLAUDE_CODE_ROUTER_KEY = "switchyard-bench";

const run = promisify(execFile);

/** The unpacked package's directory, fetched and unpacked on first use (in Switchyard's cache, `SWITCHYARD_CACHE_DIR`). */
export async function installClaudeCodeRouter(): Promise<string> {
  const directory = join(cacheDirectory(), "bench", `claude-code-router-${CLAUDE_CODE_ROUTER_VERSION}`);
  const packageDirectory = join(directory, "package");
  const cli = join(packageDirectory, "dist", "main", "cli.js");
  if (!existsSync(cli)) {
    mkdirSync(directory, { recursive: true });
    const tarball = await npmPack(`@musistudio/claude-code-router@${CLAUDE_CODE_ROUTER_VERSION}`, directory, 180_000);
    await run("tar", ["xzf", tarball, "-C", directory]);
    rmSync(tarball);
  }
  const sqlite = join(packageDirectory, "node_modules", "better-sqlite3");
  if (!existsSync(sqlite)) {
    // A link left by a checkout since removed dangles: replace it.
    rmSync(sqlite, { force: true });
    mkdirSync(dirname(sqlite), { recursive: true });
    symlinkSync(dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json")), sqlite);
  }
  return packageDirectory;
}

/** A free loopback port (claude-code-router takes its gateway port from its config, not port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no free port");
  return address.port;
}

/** The process and its descendants, by /proc/PID/task/TID/children. */
function processTree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const child of listed ? listed.split(" ") : []) children.push(...processTree(Number(child)));
    }
  } catch {
    // The process ended: it has no tree.
  }
  return [pid, ...children];
}

/** A process's command line ("" once it has ended), to check a remembered PID is still ours. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** claude-code-router's unpacked package when `wanted`, or undefined with one line saying why not. */
export async function claudeCodeRouterPackage(wanted: boolean): Promise<string | undefined> {
  if (!wanted) return undefined;
  try {
    return await installClaudeCodeRouter();
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    console.log(
      `claude-code-router ${CLAUDE_CODE_ROUTER_VERSION} could not be installed, measuring without it: ${reason}`,
    );
    return undefined;
  }
}

/** Resident set size of one process, in MiB (NaN once it has ended). */
export function rssMiB(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib ? Number(kib) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface RunningClaudeCodeRouter {
  /** Its gateway, where Anthropic /v1/messages goes. */
  url: string;
  /** RSS of the management service and its gateway together. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** `ccr serve` routing every request to `upstreamUrl`'s /v1/chat/completions; ready once its gateway answers. */
export async function startClaudeCodeRouter(
  packageDirectory: string,
  upstreamUrl: string,
): Promise<RunningClaudeCodeRouter> {
  const home = mkdtempSync(join(tmpdir(), "switchyard-bench-ccr-"));
  const [gatewayPort, managementPort] = [await freePort(), await freePort()];
  mkdirSync(join(home, ".claude-code-router"));
  writeFileSync(
    join(home, ".claude-code-router", "config.json"),
    JSON.stringify({
      HOST: "127.0.0.1",
      PORT: gatewayPort,
      APIKEY: CLAUDE_CODE_ROUTER_KEY,
      LOG: false,
      Providers: [
        {
          name: "local",
          api_base_url: `${upstreamUrl}/v1/chat/completions`,
          api_key: "none",
          models: [CLAUDE_CODE_ROUTER_MODEL],
        },
      ],
      Router: { default: `local,${CLAUDE_CODE_ROUTER_MODEL}` },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      join(packageDirectory, "dist", "main", "cli.js"),
      "serve",
      "--no-open",
      "--host",
      "127.0.0.1",
      "--port",
      String(managementPort),
    ],
    {
      cwd: home,
      env: { ...process.env, HOME: home, NO_PROXY: "127.0.0.1,localhost" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("exit", () => {
      exited = true;
      resolve();
    }),
  );
  // The gateway's process ids, kept while it runs: after SIGTERM its parent may be gone before it is.
  let tree: number[] = [];
  const stop = async () => {
    tree = processTree(child.pid as number);
    child.kill("SIGTERM");
    await Promise.race([exit, delay(10_000)]);
    for (const pid of tree.filter((pid) => commandLine(pid).includes(packageDirectory))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Ended in between.
      }
    }
    rmSync(home, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${gatewayPort}`;
  const deadline = Date.now() + 90_000;
  while (true) {
    if (exited) {
      await stop();
      throw new Error(`ccr serve exited before its gateway listened: ${stderr.trim().split("\n").at(-1) ?? ""}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("its gateway did not listen within 90 s");
    }
    const answered = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (answered) break;
    await delay(250);
  }
  return {
    url,
    rssMiB: () => processTree(child.pid as number).reduce((sum, pid) => sum + rssMiB(pid), 0),
    stop,
  };
}
