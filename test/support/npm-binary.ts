import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { npmPack } from "../../src/util/npm-pack.js";

const run = promisify(execFile);

/**
 * A program shipped as one file of an npm package (nodejs.org's `node`, Goose's `goose`): fetched with
 * `npm pack` on first use, checked against the version it must print for `--version`, and kept alone in
 * `directory` (by version, in the cache). Returns its path.
 */
export async function binaryFromNpm(options: {
  spec: string;
  directory: string;
  /** The file in the package's tarball: `package/bin/node`. */
  member: string;
  /** What `--version` prints. */
  version: string;
}): Promise<string> {
  const name = basename(options.member);
  const binary = join(options.directory, name);
  if (existsSync(binary)) return binary;
  const staging = `${options.directory}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const tarball = await npmPack(options.spec, staging);
    await run("tar", ["xzf", tarball, "-C", staging, options.member]);
    renameSync(join(staging, options.member), join(staging, name));
    chmodSync(join(staging, name), 0o755);
    const { stdout } = await run(join(staging, name), ["--version"]);
    if (stdout.trim() !== options.version) throw new Error(`${options.spec} holds ${name} ${stdout.trim()}`);
    rmSync(tarball);
    rmSync(join(staging, "package"), { recursive: true, force: true });
    rmSync(options.directory, { recursive: true, force: true });
    renameSync(staging, options.directory);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
