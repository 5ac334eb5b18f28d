import { basename, join } from "node:path";
import { type FixtureRequest, fixtureSessions, replayHeaders } from "../../src/bench/recorded-sessions.js";

/** Recorded client traffic; the loader lives in src/bench so `switchyard bench replay` uses it too. */
export {
  FIXTURE_ROOT,
  type FixtureRequest,
  fixtureRequests,
  fixtureSessions,
  replayHeaders,
} from "../../src/bench/recorded-sessions.js";

/** Recorded client traffic in test/fixtures (each folder's README says how it was captured). */
export const FIXTURES = join(import.meta.dirname, "..", "fixtures");

/** Recordings of the client versions in devDependencies (`npm run record:clients` re-records them). */
export const CURRENT_RECORDINGS = {
  anthropic: [join(FIXTURES, "claude-code", "claude-code-2.1.328")],
  openai: [join(FIXTURES, "pi", "pi-0.73.1"), join(FIXTURES, "opencode", "opencode-1.18.33")],
} as const;

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
