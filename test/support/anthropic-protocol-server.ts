import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * A loopback server that speaks Anthropic's Messages protocol for tests. It does not make up wire data.
 * Streams are replayed from `test/fixtures/anthropic/*.sse`, each one a documented example copied verbatim
 * (the README there gives the page and section for each). Error bodies and the count_tokens and
 * models-list answers use the documented JSON shapes below. A test's `script` picks one of them for
 * each request, and can cut the connection or hold it open to simulate failures.
 */

export const ANTHROPIC_FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "anthropic");

export interface RecordedRequest {
  method: string;
  /** Path with its query string, e.g. `/v1/models?limit=100`. */
  path: string;
  /** As Node received them (names lower-cased). */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. The raw text if it is not JSON, and undefined if the request had no body. */
  body: unknown;
}

/** A fixture name (`text-stream` or `text-stream.sse`), or its first `firstEvents` events. */
export type SseSource = string | { fixture: string; firstEvents?: number };

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** One fixture replayed byte for byte, or documented events spliced together (see `composeSse`). */
  sse?: string | SseSource[];
  /** A JSON body. Ignored when `sse` is set. */
  json?: unknown;
  /** Send only this many bytes of the body, then destroy the socket (a connection cut mid-stream). */
  cutAfterBytes?: number;
  /** Send only this many bytes of the body, then keep the connection open until the client leaves. */
  holdAfterBytes?: number;
  /** Write the body in pieces of this many bytes, one event-loop turn apart (tests chunk boundaries). */
  chunkBytes?: number;
}

export type Script = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

export interface AnthropicProtocolServer {
  /** `http://127.0.0.1:<port>`, the backend's baseUrl. */
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

/** The text of a fixture file, exactly as stored. */
export function readSseFixture(name: string): string {
  return readFileSync(join(ANTHROPIC_FIXTURE_DIR, name.endsWith(".sse") ? name : `${name}.sse`), "utf8");
}

/** A fixture's events (each the text between blank lines, unchanged). */
export function sseFixtureEvents(name: string): string[] {
  return readSseFixture(name)
    .split(/\r?\n\r?\n/)
    .map((block) => block.replace(/^(?:\r?\n)+|(?:\r?\n)+$/g, ""))
    .filter((block) => block.length > 0);
}

/**
 * Documented events spliced into one stream. A single whole fixture comes back byte for byte. Anything
 * else is the chosen events, each ending in a blank line as on the wire. No event's text is changed.
 */
export function composeSse(sources: string | SseSource[]): string {
  if (typeof sources === "string") return readSseFixture(sources);
  const first = sources[0];
  if (sources.length === 1 && first !== undefined && typeof first === "string") return readSseFixture(first);
  return sources
    .flatMap((source) => {
      const { fixture, firstEvents } =
        typeof source === "string" ? { fixture: source, firstEvents: undefined } : source;
      const events = sseFixtureEvents(fixture);
      return firstEvents === undefined ? events : events.slice(0, firstEvents);
    })
    .map((event) => `${event}\n\n`)
    .join("");
}

/** The documented error body: https://docs.claude.com/en/api/errors ("Error shapes"). */
export function anthropicErrorBody(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

/** Status → error type and the documented description of it (https://docs.claude.com/en/api/errors, "HTTP errors"). */
export const DOCUMENTED_HTTP_ERRORS: Readonly<Record<number, { type: string; description: string }>> = {
  400: {
    type: "invalid_request_error",
    description: "There was an issue with the format or content of your request.",
  },
  401: { type: "authentication_error", description: "There's an issue with your API key." },
  403: {
    type: "permission_error",
    description: "Your API key does not have permission to use the specified resource.",
  },
  404: { type: "not_found_error", description: "The requested resource was not found." },
  413: { type: "request_too_large", description: "Request exceeds the maximum allowed number of bytes." },
  429: { type: "rate_limit_error", description: "Your account has hit a rate limit." },
  500: { type: "api_error", description: "An unexpected error has occurred internal to Anthropic's systems." },
  529: { type: "overloaded_error", description: "The API is temporarily overloaded." },
};

/**
 * A non-stream error response with the documented type for `status`. The message is the documented
 * description of that type. Pass `retry-after` in `headers` for a 429: the rate limits page says a 429
 * comes "along with a `retry-after` header indicating how long to wait".
 */
export function documentedError(status: number, headers?: Record<string, string>): ScriptedResponse {
  const known = DOCUMENTED_HTTP_ERRORS[status];
  if (!known) throw new Error(`no documented Anthropic error type for HTTP ${status}`);
  return { status, headers, json: anthropicErrorBody(known.type, known.description) };
}

/** https://docs.claude.com/en/docs/build-with-claude/token-counting, "Count tokens in basic messages". */
export const DOCUMENTED_COUNT_TOKENS = { input_tokens: 14 } as const;

/** https://docs.anthropic.com/en/api/models-list, the 200 example. */
export const DOCUMENTED_MODELS_LIST = {
  data: [
    {
      created_at: "2025-02-19T00:00:00Z",
      display_name: "Claude Sonnet 4",
      id: "claude-sonnet-4-20250514",
      type: "model",
    },
  ],
  first_id: "<string>",
  has_more: true,
  last_id: "<string>",
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
    isSse ? composeSse(scripted.sse ?? []) : scripted.json === undefined ? "" : JSON.stringify(scripted.json),
    "utf8",
  );
  const partial = scripted.cutAfterBytes ?? scripted.holdAfterBytes;
  const headers: Record<string, string> = isSse
    ? { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" }
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

/** Starts the server on 127.0.0.1 at a free port. */
export async function startAnthropicProtocolServer(options: { script: Script }): Promise<AnthropicProtocolServer> {
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
        .then((scripted) => send(response, scripted))
        .catch((error: unknown) => {
          if (response.headersSent) {
            response.destroy();
            return;
          }
          const body = JSON.stringify(anthropicErrorBody("api_error", `test script failed: ${String(error)}`));
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
