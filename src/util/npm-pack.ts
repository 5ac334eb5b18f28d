import { join } from "node:path";
import { runCommand } from "./run-command.js";

/**
 * Fetches a package's tarball from the npm registry into `directory` with `npm pack` (the package is
 * not installed: none of its scripts run, none of its dependencies come) and returns the tarball's path.
 * Fails with npm's own words when it cannot (no network, no such version).
 */
export async function npmPack(spec: string, directory: string, timeoutMs = 600_000): Promise<string> {
  const result = await runCommand("npm", ["pack", spec, "--pack-destination", directory, "--loglevel=error"], {
    cwd: directory,
    timeoutMs,
    ownGroup: true,
  });
  const tarball = result.stdout.trim().split("\n").pop();
  if (result.code !== 0 || !tarball) {
    // npm's error lines open with its code ("npm error code ETARGET"); the line after says what happened.
    const lines = result.stderr.trim().split("\n");
    const reason = lines.find((line) => !/^npm error code /.test(line)) || `exit ${result.code}`;
    throw new Error(`npm pack ${spec} failed: ${reason}`);
  }
  return join(directory, tarball);
}
