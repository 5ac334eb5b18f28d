import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Tests never touch the user's own state or config: turn records, the store and the config file go to a
 * scratch directory for this run (the workers inherit it). Returns the teardown that removes it.
 */
export function isolateState(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-test-state-"));
  process.env.XDG_STATE_HOME = join(scratch, "state");
  process.env.XDG_CONFIG_HOME = join(scratch, "config");
  process.env.SWITCHYARD_CONFIG = join(scratch, "config", "switchyard", "config.json");
  return () => rmSync(scratch, { recursive: true, force: true });
}

/** The unit project's setup: isolated state, no engine. */
export default function setup(): () => void {
  return isolateState();
}
