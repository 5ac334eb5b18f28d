import { spawnSync } from "node:child_process";

export type NetworkIsolation = { kind: "unshare" | "bwrap"; wrapper: string[] } | { kind: "none"; wrapper: [] };

let detected: NetworkIsolation | undefined;

/**
 * How the scorer runs without network on this machine: `unshare -n` (needs root or user namespaces),
 * else bubblewrap, else not at all, which every run records so nobody mistakes it for isolation.
 */
export function networkIsolation(): NetworkIsolation {
  if (detected) return detected;
  const works = (argv: string[]) => spawnSync(argv[0] as string, argv.slice(1), { timeout: 5000 }).status === 0;
  if (works(["unshare", "-n", "true"])) detected = { kind: "unshare", wrapper: ["unshare", "-n"] };
  else if (works(["bwrap", "--dev-bind", "/", "/", "--unshare-net", "true"]))
    detected = { kind: "bwrap", wrapper: ["bwrap", "--dev-bind", "/", "/", "--unshare-net"] };
  else detected = { kind: "none", wrapper: [] };
  return detected;
}
