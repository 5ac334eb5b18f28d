import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { npmPack } from "../../src/util/npm-pack.js";
import { cacheDirectory } from "../../src/util/paths.js";

const run = promisify(execFile);

/**
 * The Node.js lines Switchyard's users run besides the one this machine has (20, the `engines` floor),
 * each at a pinned release: the two LTS lines and the current one. Tests run the gateway on each, since
 * Node's HTTP internals change between lines in ways a gateway can hang on (a response's 'drain' around
 * an uncork changed twice in 2026: nodejs/node#60432).
 */
export const NODE_RELEASES = ["22.23.5", "24.22.3", "26.12.1"] as const;

/**
 * The `node` binary of a release: nodejs.org's build as the npm registry ships it (the package
 * `node-<platform>-<arch>`), fetched with `npm pack` on first use and kept in the cache by version.
 * Only the binary is kept (~120 MB a release).
 */
export async function nodeBinary(version: string): Promise<string> {
  const directory = join(cacheDirectory(), "node", version);
  const binary = join(directory, "node");
  if (existsSync(binary)) return binary;
  const spec = `node-${process.platform}-${process.arch}@${version}`;
  const staging = `${directory}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const tarball = await npmPack(spec, staging);
    await run("tar", ["xzf", tarball, "-C", staging, "package/bin/node"]);
    renameSync(join(staging, "package", "bin", "node"), join(staging, "node"));
    const { stdout } = await run(join(staging, "node"), ["--version"]);
    if (stdout.trim() !== `v${version}`) throw new Error(`${spec} holds node ${stdout.trim()}, not v${version}`);
    rmSync(tarball);
    rmSync(join(staging, "package"), { recursive: true, force: true });
    rmSync(directory, { recursive: true, force: true });
    renameSync(staging, directory);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
