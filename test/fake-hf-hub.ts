import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * A loopback Hugging Face Hub: the endpoints a pull uses, with the rules each one documents.
 * - `GET /api/models/{repo}/tree/{revision}`: the file tree, entries `{type, oid, size, path, lfs?}` with
 *   `lfs.oid` the sha256 (huggingface.js ListFileEntry,
 *   https://huggingface.co/docs/huggingface.js/hub/interfaces/ListFileEntry).
 * - `HEAD|GET /{repo}/resolve/{revision}/{path}`: an LFS file answers 302 to its CDN URL with
 *   `X-Linked-Etag` (sha256), `X-Linked-Size`, `X-Repo-Commit` and an `ETag` (huggingface_hub
 *   `get_hf_file_metadata` reads these before following; huggingface.js `fileDownloadInfo`).
 * - the CDN honours `Range: bytes=N-` with 206 and `Content-Range`, 416 past the end (RFC 9110 §14).
 * - 404 carries `X-Error-Code: RepoNotFound` or `EntryNotFound`; a private or gated repository answers
 *   401 without a valid `Authorization: Bearer` token (huggingface_hub `hf_raise_for_status`).
 * Faults for tests: cut a file's first download after N bytes; serve a corrupted byte.
 */
export interface FakeRepo {
  files: Record<string, Buffer>;
  /** When set, only this token may read the repository. */
  token?: string;
}

export interface FakeHub {
  url: string;
  requests: { method: string; path: string; range?: string; authorization?: string }[];
  /** Cut the next download of `path` after this many bytes. */
  cutAfter: Map<string, number>;
  /** Serve `path` with one byte changed. */
  corrupt: Set<string>;
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const requests: FakeHub["requests"] = [];
  const cutAfter = new Map<string, number>();
  const corrupt = new Set<string>();
  const blobs = new Map<string, { repo: string; path: string; bytes: Buffer }>();
  // Keyed by content, as a CDN is: give each test file its own bytes.
  for (const [repo, { files }] of Object.entries(repos)) {
    for (const [path, bytes] of Object.entries(files)) blobs.set(sha256(bytes), { repo, path, bytes });
  }

  const notFound = (response: ServerResponse, code: string, message: string) => {
    response.writeHead(404, { "x-error-code": code, "content-type": "application/json" });
    response.end(JSON.stringify({ error: message }));
  };
  const authorized = (request: IncomingMessage, repo: FakeRepo) =>
    !repo.token || request.headers.authorization === `Bearer ${repo.token}`;

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://hub");
    requests.push({
      method: request.method ?? "GET",
      path: url.pathname,
      ...(request.headers.range ? { range: request.headers.range } : {}),
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (tree?.[1]) {
      const repo = repos[tree[1]];
      if (!repo) return notFound(response, "RepoNotFound", `Repository ${tree[1]} not found`);
      if (!authorized(request, repo)) {
        response.writeHead(401, { "x-error-code": "GatedRepo" });
        return response.end();
      }
      const entries = Object.entries(repo.files).map(([path, bytes]) => ({
        type: "file",
        oid: createHash("sha1").update(bytes).digest("hex"),
        size: bytes.length,
        path,
        lfs: { oid: sha256(bytes), size: bytes.length, pointerSize: 134 },
      }));
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(entries));
    }
    if (resolve?.[1] && resolve[3]) {
      const repo = repos[resolve[1]];
      const path = decodeURIComponent(resolve[3]);
      if (!repo) return notFound(response, "RepoNotFound", `Repository ${resolve[1]} not found`);
      if (!authorized(request, repo)) {
        response.writeHead(401, { "x-error-code": "GatedRepo" });
        return response.end();
      }
      const bytes = repo.files[path];
      if (!bytes) return notFound(response, "EntryNotFound", `${path} does not exist on ${resolve[2]}`);
      const hash = sha256(bytes);
      response.writeHead(302, {
        location: `/cdn/${hash}`,
        "x-linked-etag": `"${hash}"`,
        "x-linked-size": String(bytes.length),
        "x-repo-commit": COMMIT,
        etag: `"${createHash("sha1").update(bytes).digest("hex")}"`,
      });
      return response.end();
    }
    const blob = cdn?.[1] ? blobs.get(cdn[1]) : undefined;
    if (blob) {
      let bytes = blob.bytes;
      if (corrupt.has(blob.path)) {
        bytes = Buffer.from(bytes);
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
      const start = range?.[1] ? Number(range[1]) : 0;
      const end = range?.[2] ? Number(range[2]) : bytes.length - 1;
      if (start >= bytes.length) {
        response.writeHead(416, { "content-range": `bytes */${bytes.length}` });
        return response.end();
      }
      const body = bytes.subarray(start, end + 1);
      response.writeHead(range ? 206 : 200, {
        "accept-ranges": "bytes",
        "content-length": String(body.length),
        etag: `"${cdn?.[1]}"`,
        ...(range ? { "content-range": `bytes ${start}-${end}/${bytes.length}` } : {}),
      });
      if (request.method === "HEAD") return response.end();
      const cut = cutAfter.get(blob.path);
      if (cut !== undefined) {
        cutAfter.delete(blob.path);
        response.write(body.subarray(0, cut), () => response.destroy());
        return;
      }
      return response.end(body);
    }
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found");
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutAfter,
    corrupt,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
