import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/**
 * Recorded Claude Code traffic: one directory per session, one JSON file per request
 * (`{ method, url, headers, body }`), in the order sent. The repository's recordings are in
 * test/fixtures/claude-code (its README says how they were captured); `bench replay` reads them from the
 * checkout it runs in, or any directory of the same shape.
 */
export const FIXTURE_ROOT = join(
  import.meta.dirname,
  "..",
  "..",
  "test",
  "fixtures",
  "claude-code",
  "claude-code-2.1.197",
);

export interface FixtureRequest {
  session: string;
  file: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
  /** Idle time the recording had before this request (stored sessions; `--pace recorded` waits it). */
  pauseMs?: number;
  /** The prompt tokens the recorded turn had (stored sessions), to compare the replay's sizes with. */
  recordedPromptTokens?: number;
}

/** The session directories under a recordings folder (the 2.1.197 fixtures by default). */
export function fixtureSessions(root: string = FIXTURE_ROOT): string[] {
  return readdirSync(root).sort();
}

/** The requests of a recorded session directory (a fixture session's name, or a path). */
export function sessionRequests(directory: string): FixtureRequest[] {
  const session = basename(directory);
  return readdirSync(directory)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ session, file, ...JSON.parse(readFileSync(join(directory, file), "utf8")) }));
}

export function fixtureRequests(session: string, root: string = FIXTURE_ROOT): FixtureRequest[] {
  return sessionRequests(join(root, session));
}

/** A session named on the command line: a path, else one of the recorded fixtures. */
export function resolveSessionDirectory(spec: string): string {
  if (existsSync(spec)) return spec;
  const fixture = join(FIXTURE_ROOT, spec);
  if (existsSync(fixture)) return fixture;
  throw new Error(`${spec} is neither a directory nor a recorded session (${fixtureSessions().join(", ")})`);
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
