import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CODEX_VERSION } from "../../test/support/codex.js";
import { GOOSE_RELEASE } from "../../test/support/goose.js";

/** The agent CLIs `npm run record:clients` records, by the name of their recordings' folder, with their npm package. */
const PACKAGES = {
  "claude-code": "@anthropic-ai/claude-code",
  pi: "@earendil-works/pi-coding-agent",
  opencode: "opencode-ai",
} as const;

/** Goose and Codex are no devDependencies: their binaries are fetched by version (test/support/goose.ts, codex.ts). */
export type RecordedClient = keyof typeof PACKAGES | "goose" | "codex";

/** The version of `client` installed from devDependencies (Goose, Codex: the release the tests fetch). */
export function installedVersion(client: RecordedClient): string {
  if (client === "goose") return GOOSE_RELEASE.goose;
  if (client === "codex") return CODEX_VERSION;
  const manifest = join(import.meta.dirname, "..", "..", "node_modules", PACKAGES[client], "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Where `client`'s recordings at `version` live under the fixtures root: `<client>/<client>-<version>/`. */
export const recordingFolder = (fixturesRoot: string, client: RecordedClient, version: string) =>
  join(fixturesRoot, client, `${client}-${version}`);
