import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import {
  installedVersion,
  type RecordedClient,
  recordingFolder,
} from "../../scripts/record-clients/client-versions.js";
import {
  type FixtureRequest,
  fixtureRequests,
  fixtureSessions,
  replayHeaders,
} from "../../src/bench/recorded-sessions.js";
import { GOOSE_NOTE_RELEASE, GOOSE_RELEASE } from "./goose.js";

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

/**
 * The folder `npm run record:clients` writes for `client` at `version`; an error when there is none, so a
 * client updated in devDependencies without being recorded again fails the tests that replay it.
 */
export function recordingsOf(client: RecordedClient, version = installedVersion(client)): string {
  const folder = recordingFolder(FIXTURES, client, version);
  if (!existsSync(folder))
    throw new Error(`no recordings of ${client} ${version}, the version installed: run \`npm run record:clients\``);
  return folder;
}

/** Goose's recordings through one of its providers (each in a folder of its own), of the release the tests run or `version`. */
export const gooseRecordings = (provider: "anthropic" | "openai", version = installedVersion("goose")) =>
  join(recordingsOf("goose", version), provider);

/**
 * Goose's session through its Anthropic provider, recorded from each release the tests run: the one that
 * moves its note every request, and today's, whose turns call tools without any text.
 */
export const gooseSessionRoots = () =>
  [GOOSE_NOTE_RELEASE, GOOSE_RELEASE].map((release) => gooseRecordings("anthropic", release.goose));

/**
 * pi's last release under its first npm name (`@mariozechner/pi-coding-agent`), which an `npm update` of
 * that name never leaves; pi now ships as `@earendil-works/pi-coding-agent`, the devDependency.
 */
export const PI_FIRST_NAME_LAST_RELEASE = "0.73.1";

/**
 * Recordings of the client versions installed from devDependencies (and of the Goose and Codex the tests fetch),
 * with pi's last release under its first name.
 */
export const CURRENT_RECORDINGS = {
  anthropic: [recordingsOf("claude-code"), gooseRecordings("anthropic")],
  openai: [
    recordingsOf("pi"),
    recordingsOf("pi", PI_FIRST_NAME_LAST_RELEASE),
    recordingsOf("opencode"),
    gooseRecordings("openai"),
  ],
  responses: [recordingsOf("codex")],
} as const;

/** Every session folder under `roots`, labelled with its path under the fixtures (`<client>/<version>/…/<session>`). */
export function recordedSessions(roots: readonly string[]): Array<{ label: string; root: string; session: string }> {
  return roots.flatMap((root) =>
    fixtureSessions(root).map((session) => ({ label: join(relative(FIXTURES, root), session), root, session })),
  );
}

/**
 * Replays every Messages request of a recorded session to `baseUrl`, each capped at 8 output tokens;
 * what each got (`FILE: STATUS`, with the start of the body where it is not 200).
 */
export async function replayedStatuses(baseUrl: string, session: string, root: string): Promise<string[]> {
  const statuses: string[] = [];
  for (const request of fixtureRequests(session, root)) {
    if (!request.body || !request.url.startsWith("/v1/messages")) continue;
    const shortened = { ...request, body: { ...(request.body as object), max_tokens: 8 } };
    const response = await replayRequest(baseUrl, shortened);
    const text = await response.text();
    statuses.push(`${request.file}: ${response.status}${response.status === 200 ? "" : ` ${text.slice(0, 160)}`}`);
  }
  return statuses;
}

/** Sends a recorded request again, as the client sent it, to `baseUrl`. */
export function replayRequest(baseUrl: string, request: FixtureRequest): Promise<Response> {
  return fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers: replayHeaders(request),
    body: request.body === null ? undefined : JSON.stringify(request.body),
  });
}
