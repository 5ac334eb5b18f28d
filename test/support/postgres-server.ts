import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../../src/util/free-port.js";

/**
 * A real PostgreSQL server for tests (Debian's `postgresql` package, see
 * scripts/ensure-system-packages.sh): `initdb` into a temporary directory, `postgres` on a free
 * 127.0.0.1 port, stopped by its PID. PostgreSQL refuses to run as root, so when the tests are root the
 * server runs as `nobody` (through `setpriv`, which execs: the PID we hold is the postmaster's own).
 */
export interface PostgresServer {
  /** `postgres://switchyard@127.0.0.1:<port>/postgres`: the maintenance database. */
  url: string;
  pid: number;
  /** A fresh, empty database on this server, for one test; its URL. */
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = "switchyard";
const NOBODY = 65534;

/** Where the server's programs are: on PATH (Debian links them there on this image), else the newest cluster's. */
function binary(name: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    const root = "/usr/lib/postgresql";
    const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
    for (const version of versions) {
      const candidate = join(root, version, "bin", name);
      if (existsSync(candidate)) return candidate;
    }
    throw new Error(`${name} not found: install Debian's postgresql package (scripts/ensure-system-packages.sh)`);
  }
}

/** The command that runs `program` as an unprivileged user when we are root, else as ourselves. */
function unprivileged(program: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [program, args];
  return ["setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", program, ...args]];
}

async function waitForServer(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(`postgres did not accept connections:\n${log()}`);
}

export async function startPostgres(): Promise<PostgresServer> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-postgres-"));
  if (process.getuid?.() === 0) chownSync(directory, NOBODY, NOBODY);
  const data = join(directory, "data");
  const [initdb, initArgs] = unprivileged(binary("initdb"), [
    "-D",
    data,
    "-U",
    USER,
    "--auth=trust",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  execFileSync(initdb, initArgs, { stdio: "pipe" });
  const port = await freePort();
  const [postgres, serverArgs] = unprivileged(binary("postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    directory,
    "-c",
    "listen_addresses=127.0.0.1",
    // A throw-away server: durability against power loss is not what the tests are about.
    "-c",
    "fsync=off",
  ]);
  const child = spawn(postgres, serverArgs, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, no waiting for clients.
      process.kill(child.pid, "SIGINT");
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await waitForServer(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  let databases = 0;
  return {
    url,
    pid: child.pid as number,
    async createDatabase(prefix = "test") {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
