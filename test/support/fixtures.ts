import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Recorded Claude Code traffic in test/fixtures/claude-code (see its README for how it was captured). */
export const FIXTURE_ROOT = join(import.meta.dirname, "..", "fixtures", "claude-code", "claude-code-2.1.197");

export interface FixtureRequest {
  session: string;
  file: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
}

export function fixtureSessions(): string[] {
  return readdirSync(FIXTURE_ROOT).sort();
}

export function fixtureRequests(session: string): FixtureRequest[] {
  return readdirSync(join(FIXTURE_ROOT, session))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ session, file, ...JSON.parse(readFileSync(join(FIXTURE_ROOT, session, file), "utf8")) }));
}

/** The recorded headers a client would send again (hop-by-hop and length headers dropped). */
export function replayHeaders(request: FixtureRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!["host", "content-length", "connection", "accept-encoding"].includes(name.toLowerCase()))
      headers[name] = value;
  }
  return headers;
}
