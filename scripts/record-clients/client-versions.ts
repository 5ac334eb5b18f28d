import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The agent CLIs `npm run record:clients` records, by the name of their recordings' folder, with their npm package. */
const PACKAGES = {
  "claude-code": "@anthropic-ai/claude-code",
  pi: "@mariozechner/pi-coding-agent",
  opencode: "opencode-ai",
} as const;

export type RecordedClient = keyof typeof PACKAGES;

/** The version of `client` installed from devDependencies. */
export function installedVersion(client: RecordedClient): string {
  const manifest = join(import.meta.dirname, "..", "..", "node_modules", PACKAGES[client], "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Where `client`'s recordings at `version` live under the fixtures root: `<client>/<client>-<version>/`. */
export const recordingFolder = (fixturesRoot: string, client: RecordedClient, version: string) =>
  join(fixturesRoot, client, `${client}-${version}`);
