import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { measureStream, type StreamMeasurement, type StreamWire } from "./measure-stream.js";

/** Where a bench sends: a base URL (no `/v1`), the wire it speaks there, and headers it needs (keys). */
export interface BenchEndpoint {
  baseUrl: string;
  wire: StreamWire;
  headers?: Record<string, string>;
}

export interface MeasuredResponse {
  status: number;
  /** `performance.now()` when the request was sent; every time in `measurement` is relative to it. */
  startedAt: number;
  measurement: StreamMeasurement;
}

const WIRE_PATHS: Record<StreamWire, string> = {
  anthropic: "/v1/messages",
  openai: "/v1/chat/completions",
  responses: "/v1/responses",
};

export const wirePath = (wire: StreamWire) => WIRE_PATHS[wire];

/**
 * POSTs a body and resolves with the response once its headers arrived. Node's own HTTP client rather
 * than fetch: fetch hands each chunk on through a web stream, and under load that put a millisecond or
 * more between a chunk reaching the process and the bench's timestamp (docs/design/bench.md, "The
 * overhead identity"). A connection per request: Node's default agent keeps idle connections 5 s, as
 * long as llama-server (cpp-httplib) does, so a request sent as the server closed one met "socket hang
 * up" (a CI run: three bench tests, straight to llama-server and across a sweep's relaunch). Both paths
 * a bench compares pay the same loopback connect.
 */
const AGENTS = { "http:": new HttpAgent({ keepAlive: false }), "https:": new HttpsAgent({ keepAlive: false }) };

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): { sentAt: number; response: Promise<IncomingMessage> } {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const payload = Buffer.from(body);
  // The clock starts when the request is handed to the network, after the body is serialized.
  const sentAt = performance.now();
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    const request = send(url, {
      agent: url.protocol === "https:" ? AGENTS["https:"] : AGENTS["http:"],
      method: "POST",
      headers: { ...headers, "content-length": String(payload.length) },
      signal,
    });
    request.on("response", resolve);
    request.on("error", reject);
    request.end(payload);
  });
  return { sentAt, response };
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Sends one streaming request and measures its answer. A non-2xx answer is measured as an error
 * carrying the body's first 300 characters; a timeout or abort rejects (nothing is left in flight).
 */
export async function sendMeasuredRequest(
  endpoint: BenchEndpoint,
  body: unknown,
  options: { signal?: AbortSignal; timeoutMs?: number; headers?: Record<string, string>; path?: string } = {},
): Promise<MeasuredResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 600_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  signal.throwIfAborted();
  const { sentAt: startedAt, response: answered } = post(
    new URL(`${endpoint.baseUrl}${options.path ?? wirePath(endpoint.wire)}`),
    {
      "content-type": "application/json",
      ...(endpoint.wire === "anthropic" ? { "anthropic-version": "2023-06-01" } : {}),
      ...endpoint.headers,
      ...options.headers,
    },
    JSON.stringify(body),
    signal,
  );
  const response = await answered;
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    const text = await readText(response);
    return {
      status,
      startedAt,
      measurement: {
        firstByteMs: undefined,
        contentTimesMs: [],
        promptTokens: undefined,
        reusedTokens: undefined,
        outputTokens: undefined,
        timings: undefined,
        totalMs: performance.now() - startedAt,
        error: `HTTP ${status}: ${text.slice(0, 300)}`,
        text: "",
      },
    };
  }
  const measurement = await measureStream(endpoint.wire, response, startedAt);
  // An abort mid-stream ends the body early; say it was an abort rather than a short stream.
  signal.throwIfAborted();
  return { status, startedAt, measurement };
}
