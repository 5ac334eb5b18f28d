import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * The machinery every loopback protocol server shares (Anthropic, OpenAI, vLLM, SGLang, Ollama): record each
 * request, answer it as the test's script says, with fixture SSE or JSON, and cut, hold or chunk the
 * body to simulate failures. The protocol servers supply the wire data; this file makes none up.
 */

export interface RecordedRequest {
  method: string;
  /** Path with its query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** As Node received them (names lower-cased). */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. The raw text if it is not JSON, and undefined if the request had no body. */
  body: unknown;
}

export interface LoopbackResponse<Sse> {
  status: number;
  headers?: Record<string, string>;
  /** A stream, rendered to text by the protocol server (a fixture name, or spliced events). */
  sse?: Sse;
  /** A JSON body. Ignored when `sse` is set. */
  json?: unknown;
  /** Send only this many bytes of the body, then destroy the socket (a connection cut mid-stream). */
  cutAfterBytes?: number;
  /** Send only this many bytes of the body, then keep the connection open until the client leaves. */
  holdAfterBytes?: number;
  /** Write the body in pieces of this many bytes, one event-loop turn apart (tests chunk boundaries). */
  chunkBytes?: number;
}

export type LoopbackScript<Sse> = (request: RecordedRequest) => LoopbackResponse<Sse> | Promise<LoopbackResponse<Sse>>;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /**
   * Resolves when the response to request `index` (0-based) is closed. `complete` is false when the
   * connection closed before the server finished the response: the client left, or the server cut it.
   */
  closed(index: number): Promise<{ complete: boolean }>;
  close(): Promise<void>;
}

export interface LoopbackOptions<Sse> {
  script: LoopbackScript<Sse>;
  /** The SSE text for a response's `sse`. */
  renderSse: (sse: Sse) => string;
  /** The protocol's error body for a script that threw. */
  failureBody: (message: string) => unknown;
  /** Content type of a stream (default SSE; Ollama streams `application/x-ndjson`). */
  streamContentType?: string;
}

/** A request body: parsed JSON, the raw text when it is not JSON, undefined when there is none. */
export function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function write(response: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) return resolve();
    response.write(chunk, () => resolve());
  });
}

async function send<Sse>(response: ServerResponse, scripted: LoopbackResponse<Sse>, options: LoopbackOptions<Sse>) {
  const isSse = scripted.sse !== undefined;
  const text = isSse
    ? options.renderSse(scripted.sse as Sse)
    : scripted.json === undefined
      ? ""
      : JSON.stringify(scripted.json);
  const body = Buffer.from(text, "utf8");
  const partial = scripted.cutAfterBytes ?? scripted.holdAfterBytes;
  const headers: Record<string, string> = isSse
    ? { "content-type": options.streamContentType ?? "text/event-stream; charset=utf-8", "cache-control": "no-cache" }
    : { "content-type": "application/json" };
  // A complete body gets a length. A partial one is sent chunked, so the client cannot mistake it for whole.
  if (partial === undefined && !isSse) headers["content-length"] = String(body.length);
  response.writeHead(scripted.status, { ...headers, ...scripted.headers });
  response.flushHeaders();

  const payload = partial === undefined ? body : body.subarray(0, Math.min(partial, body.length));
  const step = scripted.chunkBytes && scripted.chunkBytes > 0 ? scripted.chunkBytes : payload.length;
  for (let offset = 0; offset < payload.length; offset += step) {
    if (response.destroyed) return;
    await write(response, payload.subarray(offset, offset + step));
    if (scripted.chunkBytes) await nextTurn();
  }
  if (scripted.cutAfterBytes !== undefined) {
    response.socket?.destroy();
    return;
  }
  if (scripted.holdAfterBytes !== undefined) return; // left open: the client or close() ends it
  response.end();
}

/** Starts a loopback server on 127.0.0.1 at a free port. */
export async function startLoopbackServer<Sse>(options: LoopbackOptions<Sse>): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const closings: Array<Promise<{ complete: boolean }>> = [];
  const waiters: Array<(value: Promise<{ complete: boolean }>) => void> = [];

  const server = createServer((request, response) => {
    const index = requests.length;
    const closing = new Promise<{ complete: boolean }>((resolve) => {
      response.on("close", () => resolve({ complete: response.writableFinished }));
    });
    closings[index] = closing;
    waiters[index]?.(closing);

    const chunks: Buffer[] = [];
    const recorded: RecordedRequest = {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      headers: request.headers,
      body: undefined,
    };
    requests.push(recorded);
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      recorded.body = parseBody(Buffer.concat(chunks));
      Promise.resolve()
        .then(() => options.script(recorded))
        .then((scripted) => send(response, scripted, options))
        .catch((error: unknown) => {
          if (response.headersSent) {
            response.destroy();
            return;
          }
          const body = JSON.stringify(options.failureBody(`test script failed: ${String(error)}`));
          response.writeHead(500, { "content-type": "application/json" }).end(body);
        });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closed(index: number) {
      const known = closings[index];
      if (known) return known;
      return new Promise<{ complete: boolean }>((resolve) => {
        waiters[index] = (value) => resolve(value);
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
