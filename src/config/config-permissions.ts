import { readFileSync, statSync } from "node:fs";

/**
 * A warning when the config file holds keys (`apiKey`) and group or others can read it; undefined
 * when it is fine or absent. POSIX modes only: Windows reports 0o666 for every file, so it is skipped there.
 */
export function configPermissionWarning(path: string, platform = process.platform): string | undefined {
  if (platform === "win32") return undefined;
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0 || !/"apiKey"\s*:/.test(text)) return undefined;
  return `warning: ${path} holds API keys and is readable by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`;
}
