import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";

/**
 * Sends `request` on to `host:port` at `path` (same method, headers and body) and the answer back on
 * `response`, as a forwarding proxy or a gate in front of a server does.
 */
export function forwardRequest(
  request: IncomingMessage,
  response: ServerResponse,
  target: { host: string; port: string | number; path: string | undefined },
): void {
  const upstream = httpRequest({ ...target, method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on("error", () => response.destroy());
  request.pipe(upstream);
}
