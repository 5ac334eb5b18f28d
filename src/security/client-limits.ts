import type { IncomingMessage, Server, ServerOptions, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ClientLimits {
  /** A request's headers must have arrived this long after its first byte. */
  headersTimeoutMs: number;
  /** ...and the whole request, body included (the answer is not counted). */
  requestTimeoutMs: number;
  /** Client connections held at once. */
  maxConnections: number;
}

/** The defaults (also the config's): see config-schema.ts for why these values. */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  maxConnections: 512,
};

/**
 * After how long a silent stream sends its headers if not sent, then an SSE comment (the config's
 * default, `gateway.streamKeepAliveMs`): well inside the shortest client deadline seen (pi lets its
 * users set 30 s; undici's and pi's default is 300 s), and 3× as often as llama-server pings (30 s).
 */
export const DEFAULT_STREAM_KEEP_ALIVE_MS = 10_000;

/**
 * Options for `http.createServer`: Node enforces both deadlines itself, on a timer that runs every
 * `connectionsCheckingInterval` (30 s by default, which would let a short deadline run long), so the
 * check runs four times per deadline. A connection that sends nothing at all is cut at the headers
 * deadline too.
 */
export function clientDeadlineOptions(limits: ClientLimits): ServerOptions {
  const requestTimeout = limits.requestTimeoutMs;
  // Node refuses a headers deadline longer than the request's.
  const headersTimeout = Math.min(limits.headersTimeoutMs, requestTimeout);
  return {
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(headersTimeout / 4))),
  };
}

/**
 * Answers a client cut at a deadline with a 408 whose body says why, in the protocol of the path it
 * asked for when that is known; other malformed requests get Node's own 400/431. Written straight to the
 * socket (Node's own fallback does the same), and only when no answer has started on it.
 */
export function answerClientErrors(server: Server, timeoutBody: (path: string | undefined) => unknown): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse & { req?: IncomingMessage } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent && error.code !== "ECONNRESET") {
      if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
        const text = JSON.stringify(timeoutBody(inFlight?.req?.url?.split("?")[0]));
        socket.write(
          `HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
        );
      } else if (error.code === "HPE_HEADER_OVERFLOW") {
        socket.write("HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\r\n");
      } else socket.write("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    }
    socket.destroy();
  });
}

/**
 * Holds at most `max` client connections. At the cap a new client is not turned away: the oldest
 * connection with no request in progress (an idle keep-alive, or one that never finished its headers)
 * is closed to make room, so idle sockets cannot lock clients out. Only when every connection is
 * serving a request is the new one closed.
 */
export function capConnections(server: Server, max: number): void {
  const open = new Set<Socket>();
  const serving = new Map<Socket, number>();
  server.on("connection", (socket: Socket) => {
    if (open.size >= max) {
      const idle = [...open].find((candidate) => !serving.has(candidate));
      if (!idle) {
        socket.destroy();
        return;
      }
      open.delete(idle);
      idle.destroy();
    }
    open.add(socket);
    socket.once("close", () => {
      open.delete(socket);
      serving.delete(socket);
    });
  });
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    serving.set(socket, (serving.get(socket) ?? 0) + 1);
    response.once("close", () => {
      const left = (serving.get(socket) ?? 1) - 1;
      if (left > 0) serving.set(socket, left);
      else serving.delete(socket);
    });
  });
}
