import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** Recorded client traffic in test/fixtures (each folder's README says how it was captured). */
export const FIXTURES = join(import.meta.dirname, "..", "fixtures");

/** The Claude Code 2.1.197 recordings, the default folder below (many tests are tuned to them). */
export const FIXTURE_ROOT = join(FIXTURES, "claude-code", "claude-code-2.1.197");

/** Recordings of the client versions in devDependencies (`npm run record:clients` re-records them). */
export const CURRENT_RECORDINGS = {
  anthropic: [join(FIXTURES, "claude-code", "claude-code-2.1.328")],
  openai: [join(FIXTURES, "pi", "pi-0.73.1"), join(FIXTURES, "opencode", "opencode-1.18.33")],
} as const;

export interface FixtureRequest {
  session: string;
  file: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
}

export function fixtureSessions(root: string = FIXTURE_ROOT): string[] {
  return readdirSync(root).sort();
}

export function fixtureRequests(session: string, root: string = FIXTURE_ROOT): FixtureRequest[] {
  return readdirSync(join(root, session))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ session, file, ...JSON.parse(readFileSync(join(root, session, file), "utf8")) }));
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

/** Every session folder under `roots`, labelled `<version folder>/<session>`. */
export function recordedSessions(roots: readonly string[]): Array<{ label: string; root: string; session: string }> {
  return roots.flatMap((root) =>
    fixtureSessions(root).map((session) => ({ label: `${basename(root)}/${session}`, root, session })),
  );
}

/** Sends a recorded request again, as the client sent it, to `baseUrl`. */
export function replayRequest(baseUrl: string, request: FixtureRequest): Promise<Response> {
  return fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers: replayHeaders(request),
    body: request.body === null ? undefined : JSON.stringify(request.body),
  });
}
