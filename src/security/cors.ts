import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * CORS for the API. Off unless origins are named: then a request from one of them gets
 * `Access-Control-Allow-Origin` for that origin (never `*`), and its preflight a 204 naming what may be
 * sent. Any other origin gets no CORS header at all, so a browser keeps the answer from the page: a web
 * page the user happens to open must not drive the gateway (and spend their cloud keys).
 * Returns true when it answered the request (a preflight).
 */
export function applyCors(
  request: IncomingMessage,
  response: ServerResponse,
  allowedOrigins: readonly string[] | undefined,
): boolean {
  const origin = request.headers.origin;
  const allowed = origin !== undefined && allowedOrigins?.includes(origin) === true;
  if (allowed) {
    response.setHeader("access-control-allow-origin", origin);
    response.setHeader("vary", "origin");
  }
  if (request.method !== "OPTIONS") return false;
  if (!allowed) {
    response.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
    response.end("cross-origin requests are not allowed (gateway.corsOrigins)\n");
    return true;
  }
  response.writeHead(204, {
    "access-control-allow-methods": "GET, POST, HEAD, OPTIONS",
    "access-control-allow-headers":
      request.headers["access-control-request-headers"] ??
      "content-type, authorization, x-api-key, anthropic-version, anthropic-beta",
    "access-control-max-age": "600",
  });
  response.end();
  return true;
}
