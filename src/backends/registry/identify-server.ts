import { type ProbedServer, serverRoot } from "./backend-kind.js";
import { BACKEND_KINDS, type BackendConfig, type BackendKind, backendConfigSchema } from "./backend-registry.js";

/** The kinds in the order their probes run: the registry's, the fallbacks (a protocol known kinds speak too) last. */
const PROBE_ORDER = [
  ...BACKEND_KINDS.filter((entry) => !entry.discovery?.fallback),
  ...BACKEND_KINDS.filter((entry) => entry.discovery?.fallback),
];

/** Where local servers listen by default, probed when no backend is configured, in probe order. */
export const WELL_KNOWN_LOCAL_URLS: readonly string[] = PROBE_ORDER.flatMap(
  (entry) => entry.discovery?.wellKnownUrls ?? [],
);

/** What the probes ask, for the error when nothing at a URL answers as any kind. */
export const RECOGNISED_BY = PROBE_ORDER.flatMap((entry) => (entry.discovery ? [entry.discovery.describe] : [])).join(
  ", ",
);

/**
 * A server's URL as a user types it: `127.0.0.1:8080` or `localhost:8080/llama` (no scheme) means
 * `http://` there, as llama-server's own "listening on http://…" line has it.
 */
export function withScheme(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

async function answers(
  url: string,
  headers: Record<string, string>,
  timeoutMs = 800,
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      return { status: response.status, body: undefined };
    }
  } catch {
    return undefined;
  }
}

/** The server at `root`, each path asked at most once (vLLM's and SGLang's probes both read /v1/models). */
function probedServer(root: string, headers: Record<string, string>): ProbedServer {
  const asked = new Map<string, ReturnType<typeof answers>>();
  const answer = (path: string) => {
    const answered = asked.get(path) ?? answers(`${root}${path}`, headers);
    asked.set(path, answered);
    return answered;
  };
  return {
    root,
    answer,
    json: async (path) => {
      const answered = await answer(path);
      return answered && answered.status >= 200 && answered.status < 300 ? answered.body : undefined;
    },
  };
}

/** The kind a URL alone shows (a cloud's), without asking the server. */
export const kindByUrl = (url: string): BackendKind | undefined =>
  BACKEND_KINDS.find((entry) => entry.discovery?.urlPattern?.test(url))?.kind;

/**
 * The kind of server at `url` (its root, or its `/v1`): first by the URL alone (a cloud), then by
 * asking it, each kind's probe in the registry's order. `apiKey` goes as a bearer token on every probe
 * (a server started with `--api-key` answers its model list to no one else).
 */
export async function identifyServer(url: string, apiKey?: string): Promise<BackendKind | undefined> {
  const byUrl = kindByUrl(url);
  if (byUrl) return byUrl;
  const server = probedServer(serverRoot(url), apiKey ? { authorization: `Bearer ${apiKey}` } : {});
  for (const entry of PROBE_ORDER) if (await entry.discovery?.answers?.(server)) return entry.kind;
  return undefined;
}

/** The config entry of the server at `url`, named `name`, when it is recognised as some kind. */
export async function recognisedBackendConfig(url: string, name: string): Promise<BackendConfig | undefined> {
  const kind = await identifyServer(url);
  const entry = BACKEND_KINDS.find((each) => each.kind === kind);
  return kind && backendConfigSchema.parse({ name, type: kind, url, ...entry?.discovery?.configFor?.(url) });
}

/**
 * The first server answering at a well-known URL, named `local` whatever its kind, as the engine
 * Switchyard launches is: a config's `models` and `routing` that name `local` keep working whichever
 * server was found.
 */
export async function findLocalServer(urls: readonly string[] = WELL_KNOWN_LOCAL_URLS) {
  for (const url of urls) {
    const config = await recognisedBackendConfig(url, "local");
    if (config) return config;
  }
  return undefined;
}
