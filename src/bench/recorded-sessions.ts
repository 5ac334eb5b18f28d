import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";

/**
 * Recorded agent traffic: one directory per session, one JSON file per request (`{ method, url, headers,
 * body }`), in the order sent. The repository's recordings are in test/fixtures/<client>/<client>-<version>
 * (each client's README says how they were captured); `bench replay` reads them from the checkout it runs
 * in, or any directory of the same shape.
 */
export const RECORDINGS_ROOT = join(import.meta.dirname, "..", "..", "test", "fixtures");

/** Claude Code 2.1.197's sessions: the fixtures named by their bare names, and what `--fixtures` replays. */
export const FIXTURE_ROOT = join(RECORDINGS_ROOT, "claude-code", "claude-code-2.1.197");

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

const isSessionDirectory = (directory: string) => existsSync(join(directory, "001.json"));

/** Every recorded session directory at or under a folder (one holding `001.json`), in path order. */
export function recordedSessionDirectories(root: string): string[] {
  if (isSessionDirectory(root)) return [root];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((name) => recordedSessionDirectories(join(root, name)));
}

/** The clients with recorded sessions in the repository (claude-code, codex, goose, …). */
export function recordedClients(): string[] {
  return readdirSync(RECORDINGS_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && recordedSessionDirectories(join(RECORDINGS_ROOT, entry.name)).length > 0)
    .map((entry) => entry.name)
    .sort();
}

/** Every recorded session of one client, each version and wire it was recorded with. */
export function clientSessions(client: string): string[] {
  const clients = recordedClients();
  if (!clients.includes(client))
    throw new Error(`no recorded sessions of ${client}; recorded clients: ${clients.join(", ")}`);
  return recordedSessionDirectories(join(RECORDINGS_ROOT, client));
}

/**
 * How a session is named in a replay's turns: a 2.1.197 fixture by its bare name, another recording of the
 * repository by its path below its client's folder (`codex-0.171.0/tool-session`), any other directory
 * by its own name.
 */
function sessionName(directory: string): string {
  if (relative(FIXTURE_ROOT, directory) === basename(directory)) return basename(directory);
  const path = relative(RECORDINGS_ROOT, directory).split(sep);
  return path.length > 2 && path[0] !== ".." ? path.slice(1).join("/") : basename(directory);
}

/** The requests of a recorded session directory (a fixture session's name, or a path). */
export function sessionRequests(directory: string): FixtureRequest[] {
  const session = sessionName(resolve(directory));
  return readdirSync(directory)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ session, file, ...JSON.parse(readFileSync(join(directory, file), "utf8")) }));
}

export function fixtureRequests(session: string, root: string = FIXTURE_ROOT): FixtureRequest[] {
  return sessionRequests(join(root, session));
}

/**
 * A session named on the command line: a path, else one of the 2.1.197 fixtures (`agent-session`), else a
 * recording of the repository by its path below test/fixtures (`codex/codex-0.171.0/tool-session`).
 */
export function resolveSessionDirectory(spec: string): string {
  for (const candidate of [spec, join(FIXTURE_ROOT, spec), join(RECORDINGS_ROOT, spec)])
    if (existsSync(candidate) && isSessionDirectory(candidate)) return candidate;
  throw new Error(
    `${spec} is neither a session directory nor a recorded session (${fixtureSessions().join(", ")}, or a path below test/fixtures such as ${relative(RECORDINGS_ROOT, clientSessions("codex")[0] as string)})`,
  );
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
