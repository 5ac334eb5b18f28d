import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { HubClient } from "./hub-client.js";
import { hubStatusError } from "./hub-client.js";
import { HubError, networkError } from "./hub-errors.js";

export interface DownloadRequest {
  client: HubClient;
  repo: string;
  path: string;
  revision?: string;
  destination: string;
  /** From the tree listing or X-Linked-Etag; without one the file is taken unverified (and says so). */
  sha256?: string;
  size: number;
  onProgress?: (received: number, total: number) => void;
  signal?: AbortSignal;
  /** A download that receives nothing for this long is abandoned (it resumes on the next try). */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  resumedFrom: number;
  verified: boolean;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function diskError(error: unknown, partial: string, written: number, total: number): Error {
  const code = (error as { code?: string }).code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new HubError(
      "disk_full",
      `the disk is full writing ${partial} (${written} of ${total} bytes); free space and pull again: it resumes`,
    );
  }
  return error as Error;
}

/**
 * Downloads one file into `destination`, resumable: bytes go to `destination.partial`, and a later try
 * asks for the rest with `Range: bytes=N-`. The complete file is checked against its sha256 before it
 * takes its final name; a mismatch is refused and the partial file is kept (the next try hashes it
 * again, and starts over only if it is complete and still wrong).
 */
export async function downloadFile(request: DownloadRequest): Promise<DownloadResult> {
  const partial = `${request.destination}.partial`;
  mkdirSync(dirname(request.destination), { recursive: true });
  let offset = existsSync(partial) ? statSync(partial).size : 0;
  if (offset > request.size) offset = 0;
  if (offset === request.size && request.size > 0) {
    // Complete but not renamed: a checksum failure last time, or a crash just before the rename.
    if (request.sha256 && (await sha256Of(partial)) !== request.sha256) offset = 0;
  }
  if (offset === 0) rmSync(partial, { force: true });
  const resumedFrom = offset;

  if (offset < request.size || request.size === 0) {
    const url = request.client.fileUrl(request.repo, request.path, request.revision);
    const idle = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, idle.signal]) : idle.signal;
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    // The body may take hours: no overall timeout, an idle one instead (below).
    const response = await request.client.request(url, { headers }, signal, 60_000);
    if (response.status >= 400) throw await hubStatusError(response, request.repo, request.path);
    if (offset > 0 && response.status !== 206) {
      // The server ignored the range: start over rather than append the whole file again.
      offset = 0;
      rmSync(partial, { force: true });
    }
    const output = createWriteStream(partial, { flags: offset > 0 ? "a" : "w" });
    let received = offset;
    let timer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), request.idleTimeoutMs ?? 60_000);
    };
    try {
      armIdle();
      if (!response.body) throw new HubError("http_error", `empty answer for ${request.path} in ${request.repo}`);
      for await (const chunk of response.body) {
        armIdle();
        const bytes = chunk as Uint8Array;
        if (!output.write(bytes)) await new Promise<void>((resolve) => output.once("drain", () => resolve()));
        received += bytes.byteLength;
        request.onProgress?.(received, request.size);
      }
      await new Promise<void>((resolve, reject) =>
        output.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      await new Promise<void>((resolve) => output.end(() => resolve()));
      if (error instanceof HubError) throw error;
      const diskFailure = diskError(error, partial, received, request.size);
      if (diskFailure !== error) throw diskFailure;
      const kept = `${received} of ${request.size} bytes are kept in ${partial}; pull again to resume`;
      if (idle.signal.aborted && !request.signal?.aborted) {
        throw new HubError("timeout", `the download of ${request.path} stalled; ${kept}`);
      }
      const failure = networkError(url, error);
      throw new HubError(
        failure.code,
        `the download of ${request.path} from ${request.repo} broke off (${failure.message}); ${kept}`,
        undefined,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
    if (received < request.size) {
      throw new HubError(
        "unreachable",
        `the download of ${request.path} from ${request.repo} ended early: ${received} of ${request.size} bytes, kept in ${partial}; pull again to resume`,
      );
    }
  }

  if (request.sha256) {
    const actual = await sha256Of(partial);
    if (actual !== request.sha256) {
      throw new HubError(
        "checksum_mismatch",
        `${request.path} from ${request.repo} does not match its sha256 (expected ${request.sha256}, got ${actual}); refused, kept in ${partial}`,
      );
    }
  }
  renameSync(partial, request.destination);
  return { path: request.destination, resumedFrom, verified: request.sha256 !== undefined };
}
