import { environmentFetch } from "../util/environment-proxy.js";
import { HubError, networkError } from "./hub-errors.js";

/**
 * The Hugging Face Hub endpoints a pull needs, as documented:
 * - file tree: `GET /api/models/{repo}/tree/{revision}` lists `{type, path, size, oid, lfs?: {oid, size}}`
 *   (huggingface.js `listFiles`, https://huggingface.co/docs/huggingface.js/hub/interfaces/ListFileEntry);
 *   `lfs.oid` is the file's sha256.
 * - file: `GET /{repo}/resolve/{revision}/{path}` (huggingface_hub `hf_hub_url`), which redirects large
 *   files to a CDN and carries `X-Linked-Etag` (the sha256 of an LFS file), `X-Linked-Size` and
 *   `X-Repo-Commit` before the redirect (huggingface_hub `get_hf_file_metadata`, huggingface.js
 *   `fileDownloadInfo`); byte ranges are honoured (`Range: bytes=N-` → 206).
 * - errors: 401 for a private or gated repo without a valid token, 404 with `X-Error-Code`
 *   `RepoNotFound` / `EntryNotFound` / `RevisionNotFound` (huggingface_hub `hf_raise_for_status`).
 * The token is `HF_TOKEN`; the endpoint `HF_ENDPOINT` (huggingface_hub's variables).
 */
export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content when the tree says (LFS files). */
  sha256?: string;
}

export interface HubClientOptions {
  endpoint?: string;
  token?: string;
  fetch?: typeof fetch;
  /** Per request, for everything but a download's body. */
  timeoutMs?: number;
}

export class HubClient {
  readonly endpoint: string;
  readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: HubClientOptions = {}) {
    this.endpoint = (options.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/$/, "");
    this.token = options.token ?? (process.env.HF_TOKEN || undefined);
    this.fetchImpl = options.fetch ?? environmentFetch();
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  fileUrl(repo: string, path: string, revision = "main"): string {
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encoded}`;
  }

  /** fetch with the token, a timeout and the caller's AbortSignal. */
  async request(
    url: string,
    init: RequestInit = {},
    signal?: AbortSignal,
    timeoutMs = this.timeoutMs,
  ): Promise<Response> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    try {
      return await this.fetchImpl(url, {
        ...init,
        headers: { ...this.authHeaders(), ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (signal?.aborted) throw new HubError("timeout", `cancelled: ${url}`);
      throw networkError(url, error);
    }
  }

  async listFiles(repo: string, revision = "main", signal?: AbortSignal): Promise<HubFile[]> {
    const url = `${this.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
    const response = await this.request(url, {}, signal);
    if (!response.ok) throw await hubStatusError(response, repo);
    const entries = (await response.json()) as { type: string; path: string; size: number; lfs?: { oid: string } }[];
    return entries
      .filter((entry) => entry.type === "file")
      .map((entry) => ({ path: entry.path, size: entry.size, ...(entry.lfs ? { sha256: entry.lfs.oid } : {}) }));
  }

  /** sha256 and size from the resolve endpoint's headers, read before its redirect is followed. */
  async fileMetadata(repo: string, path: string, revision = "main", signal?: AbortSignal) {
    const url = this.fileUrl(repo, path, revision);
    const response = await this.request(url, { method: "HEAD", redirect: "manual" }, signal);
    if (response.status >= 400) throw await hubStatusError(response, repo, path);
    const linkedEtag = response.headers.get("x-linked-etag") ?? response.headers.get("etag") ?? "";
    const size = Number(response.headers.get("x-linked-size") ?? response.headers.get("content-length") ?? Number.NaN);
    const sha256 = /^(?:W\/)?"?([0-9a-f]{64})"?$/.exec(linkedEtag)?.[1];
    return { url, size, ...(sha256 ? { sha256 } : {}) };
  }
}

/** An HTTP error status from the hub as a HubError naming what was asked for. */
export async function hubStatusError(response: Response, repo: string, path?: string): Promise<HubError> {
  const what = path ? `${path} in ${repo}` : repo;
  const errorCode = response.headers.get("x-error-code") ?? "";
  const body = await response.text().catch(() => "");
  if (response.status === 401 || response.status === 403) {
    const hint = process.env.HF_TOKEN ? "HF_TOKEN was sent and refused" : "set HF_TOKEN to a token with access";
    return new HubError("unauthorized", `${response.status}: no access to ${what} (${hint})`, response.status);
  }
  if (response.status === 404) {
    const message =
      errorCode === "EntryNotFound"
        ? `${repo} has no file ${path}`
        : errorCode === "RepoNotFound"
          ? `no repository ${repo}${path ? ` (asked for ${path})` : ""}`
          : `${what} not found`;
    return new HubError("not_found", `404: ${message}`, 404);
  }
  return new HubError(
    "http_error",
    `${response.status} from the hub for ${what}: ${body.slice(0, 200)}`,
    response.status,
  );
}
