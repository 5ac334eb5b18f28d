import type { Dispatcher } from "undici";
import { SwitchyardError } from "../core/errors.js";
import type { RateLimitInfo } from "../core/rate-limit.js";
import type { TurnFacts } from "../core/turn-facts.js";
import { jsonBytes } from "../util/json-bytes.js";
import { mapConnectionError, mapUpstreamError } from "./chat-completions/map-upstream-error.js";
import type { PrefillDeadline, UpstreamAbort } from "./prefill-deadline.js";
import { readRateLimit } from "./rate-limit-headers.js";
import { targetOn } from "./upstream-pool.js";

export interface UpstreamResponse {
  status: number;
  text: () => Promise<string>;
  body: AsyncIterable<Uint8Array>;
  retryAfter: string | null;
  /** Retry-After and `x-ratelimit-*` headers, when the response has any. */
  rateLimit: RateLimitInfo | undefined;
  /** All response headers as undici gives them (names lower-cased; `set-cookie` an array). */
  headers: Record<string, string | string[] | undefined>;
}

export interface UpstreamRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  signal: AbortSignal | undefined;
  /**
   * For a generation: its response headers come only after the prompt is prefilled, so their deadline
   * scales with the body (prefill-deadline.ts) instead of the pool's fixed headers timeout.
   */
  prefill?: PrefillDeadline;
  /** The backend's facts about the turn, where the prefill deadline is noted. */
  facts?: TurnFacts;
}

/** A local generation's POST: the caller's signal, under the prefill deadline, noted in the backend's facts. */
export function generationRequest(
  path: string,
  body: unknown,
  signal: AbortSignal,
  prefill: PrefillDeadline,
  facts: TurnFacts,
  headers: Record<string, string> = {},
): UpstreamRequest {
  return { method: "POST", path, headers, body, signal, prefill, facts };
}

/**
 * One HTTP request to a backend over its keep-alive pool. Failing to connect becomes a SwitchyardError
 * naming the backend.
 *
 * A request not yet written when its kept-alive connection closes is sent again by undici itself, on a
 * fresh connection. One that was written may have reached the server, so it is sent once more only where
 * running it twice does no harm: a GET (idempotent, RFC 9110 §9.2.2), or any request to a server on this
 * machine (a generation there costs only compute, and the engine drops one whose client has gone).
 * A cloud's POST is never repeated: it would be billed, and run, twice. (Under CI load llama-server
 * b1-de3ff81 closed connections Switchyard had just written a generation to, with idle connections kept
 * 1 s against its 5 s; three tests met it in one run without the local resend.)
 */
export async function requestUpstream(
  pool: Dispatcher,
  request: UpstreamRequest,
  backend: { name: string; baseUrl: string; local?: boolean },
): Promise<UpstreamResponse> {
  const body = request.body === undefined ? undefined : jsonBytes(request.body);
  const headers = body === undefined ? request.headers : { "content-type": "application/json", ...request.headers };
  const { path, origin } = targetOn(pool, request.path);
  // headersTimeout 0: under a prefill deadline that deadline is the only one.
  const send = (signal: AbortSignal | UpstreamAbort | undefined, headersTimeout?: number) =>
    pool.request({ origin, method: request.method, path, headers, body, signal, headersTimeout });
  const sendOnceMore = (signal: AbortSignal | UpstreamAbort | undefined, headersTimeout?: number) =>
    send(signal, headersTimeout).catch((error: { code?: string }) => {
      const closed = error?.code === "UND_ERR_SOCKET" || error?.code === "ECONNRESET";
      if (closed && (request.method === "GET" || backend.local === true)) return send(signal, headersTimeout);
      throw error;
    });
  try {
    const response = request.prefill
      ? await request.prefill.run(body?.length ?? 0, request.signal, backend.name, request.facts, (signal) =>
          sendOnceMore(signal, 0),
        )
      : await sendOnceMore(request.signal);
    const retryAfter = response.headers["retry-after"];
    return {
      status: response.statusCode,
      text: () => response.body.text(),
      body: response.body,
      retryAfter: typeof retryAfter === "string" ? retryAfter : null,
      rateLimit: readRateLimit(response.headers),
      headers: response.headers,
    };
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    throw mapConnectionError(error, backend.name, backend.baseUrl);
  }
}

/** An HTTP error answer (status >= 400) as a SwitchyardError, with its body read and its rate-limit headers. */
export async function upstreamFailure(response: UpstreamResponse, backendName: string): Promise<SwitchyardError> {
  return failureOf(response, await response.text(), backendName);
}

const failureOf = (response: UpstreamResponse, text: string, backendName: string) =>
  mapUpstreamError(response.status, text, backendName, response.retryAfter, response.rateLimit);

/**
 * The JSON body of an answer; an error answer (status >= 400) is thrown, as `failure` maps it (by default
 * as upstreamFailure does).
 */
export async function upstreamJson<T>(
  response: UpstreamResponse,
  backendName: string,
  failure: (response: UpstreamResponse, text: string, backendName: string) => SwitchyardError = failureOf,
): Promise<T> {
  const text = await response.text();
  if (response.status >= 400) throw failure(response, text, backendName);
  return JSON.parse(text) as T;
}
