import { join } from "node:path";
import { cacheDirectory } from "../../src/util/paths.js";
import { binaryFromNpm } from "./npm-binary.js";

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
export function nodeBinary(version: string): Promise<string> {
  return binaryFromNpm({
    spec: `node-${process.platform}-${process.arch}@${version}`,
    directory: join(cacheDirectory(), "node", version),
    member: "package/bin/node",
    version: `v${version}`,
  });
}
