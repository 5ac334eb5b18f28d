import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The first executable named `name` on PATH or in the given extra directories. */
export function findProgram(name: string, extraDirectories: string[] = []): string | undefined {
  const directories = [...(process.env.PATH ?? "").split(delimiter), ...extraDirectories].filter(Boolean);
  for (const directory of directories) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}
