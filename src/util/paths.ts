import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** Per-user cache: engine builds, the node-llama-cpp tarball, generated test models. */
export function cacheDirectory(): string {
  const explicit = process.env.SWITCHYARD_CACHE_DIR;
  if (explicit) return explicit;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "switchyard");
}

/** Default location of the user's config file. */
export function defaultConfigPath(): string {
  const explicit = process.env.SWITCHYARD_CONFIG;
  if (explicit) return explicit;
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "switchyard", "config.json");
}

/** Where turn records are appended unless the config says otherwise. */
export function defaultTurnsFile(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(base, "switchyard", "turns.jsonl");
}

/** Where the turn store (SQLite) lives unless the config says otherwise. */
export function defaultStoreFile(): string {
  return join(dirname(defaultTurnsFile()), "switchyard.db");
}

/** A copy of the latest `switchyard bench --html` report, which the dashboard links. */
export function latestBenchReportFile(): string {
  return join(dirname(defaultTurnsFile()), "bench-report.html");
}
