import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { z } from "zod";
import { defaultConfigPath } from "../util/paths.js";
import { configSchema, type SwitchyardConfig } from "./config-schema.js";

export class ConfigError extends Error {
  readonly code = "invalid_config";
}

/** `backends[1].timeouts.connectMs`: array places in brackets, as the user counts entries in the file. */
const fieldLabel = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (label, key) => (typeof key === "number" ? `${label}[${key}]` : label ? `${label}.${String(key)}` : String(key)),
    "",
  ) || "(root)";

function describeIssues(path: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => `  ${fieldLabel(issue.path)}: ${issue.message}`);
  return `invalid config ${path}:\n${lines.join("\n")}`;
}

/** Reads and validates the config file; a missing file means all defaults. */
export function loadConfig(path = defaultConfigPath()): SwitchyardConfig {
  if (!existsSync(path)) return configSchema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`invalid config ${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(path, parsed.error));
  return resolveFilePaths(parsed.data, dirname(resolve(path)));
}

/**
 * Paths in the file mean paths next to the file, whatever directory `serve` was started from: a
 * relative `routing.module` would otherwise load whatever module sits at that path under the current
 * directory, and the user rule runs with the gateway's privileges.
 */
function resolveFilePaths(config: SwitchyardConfig, directory: string): SwitchyardConfig {
  const module = config.routing.module;
  if (module === undefined) return config;
  return { ...config, routing: { ...config.routing, module: resolve(directory, module) } };
}

/** Changes the raw file (keeping fields the user wrote) and validates the result before writing it. */
export function updateConfigFile(change: (raw: Record<string, unknown>) => void, path = defaultConfigPath()): void {
  const raw = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
  change(raw);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(path, parsed.error));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
}
