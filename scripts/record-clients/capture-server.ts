import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseBody } from "../../test/support/loopback-server.js";

/** One request as a recording stores it: what the client sent, minus its credentials. */
export interface CapturedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  /** Parsed JSON; the raw text when it is not JSON; null when there was no body. */
  body: unknown;
}

export interface CaptureAnswer {
  status: number;
  contentType?: string;
  body?: string;
}

export type CaptureScript = (request: CapturedRequest) => CaptureAnswer;

export interface CaptureServer {
  url: string;
  /** Every request so far, in arrival order (also written to `directory` as 001.json, 002.json, …). */
  requests: CapturedRequest[];
  /** Where the next requests are written, numbered from 001 (the folder is emptied first). */
  recordInto(directory: string): void;
  close(): Promise<void>;
}

/** Headers that carry a credential. They are dropped, never masked, so no recording holds even a prefix. */
const SECRET_HEADERS = new Set(["x-api-key", "authorization", "proxy-authorization", "cookie"]);

export function withoutSecrets(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}

/**
 * The scripted endpoint: a loopback HTTP server that writes every request it receives to a numbered JSON
 * file and answers it as `script` says. It knows no protocol; the script does.
 */
export async function startCaptureServer(script: CaptureScript): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  let directory: string | undefined;
  let counter = 0;
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const captured: CapturedRequest = {
        method: incoming.method ?? "GET",
        url: incoming.url ?? "/",
        headers: withoutSecrets(incoming.headers),
        body: parseBody(Buffer.concat(chunks)) ?? null,
      };
      requests.push(captured);
      if (directory) {
        counter += 1;
        const file = join(directory, `${String(counter).padStart(3, "0")}.json`);
        writeFileSync(file, `${JSON.stringify(captured, null, 2)}\n`);
      }
      let answer: CaptureAnswer;
      try {
        answer = script(captured);
      } catch (error) {
        answer = { status: 500, contentType: "text/plain", body: `capture script failed: ${String(error)}` };
        process.stderr.write(`${captured.method} ${captured.url}: ${String(error)}\n`);
      }
      const headers: Record<string, string> = {};
      if (answer.contentType) headers["content-type"] = answer.contentType;
      if (answer.contentType?.startsWith("text/event-stream")) headers["cache-control"] = "no-cache";
      response.writeHead(answer.status, headers);
      response.end(captured.method === "HEAD" ? undefined : answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    recordInto(next: string) {
      rmSync(next, { recursive: true, force: true });
      mkdirSync(next, { recursive: true });
      directory = next;
      counter = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
