import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * A loopback server that speaks OpenAI's Chat Completions protocol for tests. It does not make up wire
 * data. Streams are replayed from `test/fixtures/openai/*.sse` (the README there gives the source of each:
 * a stream recorded from the live API by openai-python's test suite, and the API reference's streaming
 * example). Error bodies and the models list use the documented shapes below. A test's `script` picks one
 * of them for each request, and can cut the connection to simulate failures.
 */

export const OPENAI_FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "openai");

export interface RecordedRequest {
  method: string;
  /** Path with its query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** As Node received them (names lower-cased). */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. The raw text if it is not JSON, and undefined if the request had no body. */
  body: unknown;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** A fixture name (`text-stream` or `text-stream.sse`) replayed byte for byte. */
  sse?: string;
  /** A JSON body. Ignored when `sse` is set. */
  json?: unknown;
  /** Send only this many bytes of the body, then destroy the socket (a connection cut mid-stream). */
  cutAfterBytes?: number;
  /** Write the body in pieces of this many bytes, one event-loop turn apart (tests chunk boundaries). */
  chunkBytes?: number;
}

export type Script = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

export interface OpenAIProtocolServer {
  /** `http://127.0.0.1:<port>`; a backend's baseUrl is this plus `/v1`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The text of a fixture file, exactly as stored. */
export function readOpenAIFixture(name: string): string {
  return readFileSync(join(OPENAI_FIXTURE_DIR, name.endsWith(".sse") ? name : `${name}.sse`), "utf8");
}

/**
 * The documented error body: `ErrorResponse` = `{ error: Error }`, `Error` = `{ message, type, param, code }`
 * in OpenAI's OpenAPI spec (github.com/openai/openai-openapi, `openapi.yaml`, components/schemas).
 */
export function openAIErrorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/**
 * Status → the error-codes guide's heading for it (https://platform.openai.com/docs/guides/error-codes,
 * "API errors") as the message. The guide shows no JSON body, so `type` and `code` are NOT documented
 * values: they are the ones the API is commonly reported to send, and nothing here depends on them (the
 * backend maps by status). See test/fixtures/openai/README.md.
 */
export const DOCUMENTED_HTTP_ERRORS: Readonly<Record<number, { message: string; type: string; code: string | null }>> =
  {
    401: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" },
    429: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" },
    500: { message: "The server had an error while processing your request", type: "server_error", code: null },
  };

/** A non-stream error response for `status`; pass `retry-after` in `headers` for a 429. */
export function documentedError(status: number, headers?: Record<string, string>): ScriptedResponse {
  const known = DOCUMENTED_HTTP_ERRORS[status];
  if (!known) throw new Error(`no documented OpenAI error for HTTP ${status}`);
  return { status, headers, json: openAIErrorBody(known.message, known.type, known.code) };
}

/**
 * https://platform.openai.com/docs/api-reference/models/list, the example response (also in openapi.yaml),
 * with the two trailing commas that make the documented text invalid JSON removed.
 */
export const DOCUMENTED_MODELS_LIST = {
  object: "list",
  data: [
    { id: "model-id-0", object: "model", created: 1686935002, owned_by: "organization-owner" },
    { id: "model-id-1", object: "model", created: 1686935002, owned_by: "organization-owner" },
    { id: "model-id-2", object: "model", created: 1686935002, owned_by: "openai" },
  ],
} as const;

function parseBody(raw: Buffer): unknown {
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

async function send(response: ServerResponse, scripted: ScriptedResponse): Promise<void> {
  const isSse = scripted.sse !== undefined;
  const body = Buffer.from(
    isSse ? readOpenAIFixture(scripted.sse ?? "") : scripted.json === undefined ? "" : JSON.stringify(scripted.json),
    "utf8",
  );
  const headers: Record<string, string> = isSse
    ? { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" }
    : { "content-type": "application/json" };
  if (scripted.cutAfterBytes === undefined && !isSse) headers["content-length"] = String(body.length);
  response.writeHead(scripted.status, { ...headers, ...scripted.headers });
  response.flushHeaders();

  const payload =
    scripted.cutAfterBytes === undefined ? body : body.subarray(0, Math.min(scripted.cutAfterBytes, body.length));
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
  response.end();
}

/** Starts the server on 127.0.0.1 at a free port. */
export async function startOpenAIProtocolServer(options: { script: Script }): Promise<OpenAIProtocolServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
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
        .then((scripted) => send(response, scripted))
        .catch((error: unknown) => {
          if (response.headersSent) {
            response.destroy();
            return;
          }
          const body = JSON.stringify(openAIErrorBody(`test script failed: ${String(error)}`, "server_error"));
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
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
