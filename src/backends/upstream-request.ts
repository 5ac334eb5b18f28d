import type { Pool } from "undici";
import { jsonBytes } from "../util/json-bytes.js";
import { mapConnectionError } from "./openai/map-upstream-error.js";

export interface UpstreamResponse {
  status: number;
  text: () => Promise<string>;
  body: AsyncIterable<Uint8Array>;
  retryAfter: string | null;
}

export interface UpstreamRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  signal: AbortSignal | undefined;
}

/**
 * One HTTP request to a backend over its keep-alive pool. A kept-alive connection the server closed as
 * we reused it fails before any answer: the server never read the request, so it is sent once more on a
 * fresh connection. Failing to connect becomes a SwitchyardError naming the backend.
 */
export async function requestUpstream(
  pool: Pool,
  request: UpstreamRequest,
  backend: { name: string; baseUrl: string },
): Promise<UpstreamResponse> {
  const body = request.body === undefined ? undefined : jsonBytes(request.body);
  const headers = body === undefined ? request.headers : { "content-type": "application/json", ...request.headers };
  const send = () =>
    pool.request({ method: request.method, path: request.path, headers, body, signal: request.signal });
  try {
    const response = await send().catch((error: { code?: string }) => {
      if (error?.code === "UND_ERR_SOCKET" || error?.code === "ECONNRESET") return send();
      throw error;
    });
    const retryAfter = response.headers["retry-after"];
    return {
      status: response.statusCode,
      text: () => response.body.text(),
      body: response.body,
      retryAfter: typeof retryAfter === "string" ? retryAfter : null,
    };
  } catch (error) {
    throw mapConnectionError(error, backend.name, backend.baseUrl);
  }
}
