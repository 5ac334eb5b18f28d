import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { connect, createServer, type Server as NetServer, type Socket } from "node:net";

/** Listens on a free loopback port; `close` destroys the open sockets, then closes the server. */
async function listenOnLoopback(
  server: NetServer,
  sockets: Set<Socket>,
): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface FaultProxy {
  url: string;
  /** Bytes of each upstream response forwarded before the connection is cut (Infinity: never cut). */
  cutAfterBytes: number;
  /** Size of the last upstream response forwarded whole (its bytes since the request was sent). */
  lastResponseBytes: number;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of a real server that can cut a response after a number of bytes, to
 * test what clients see when an upstream dies in the middle of a stream.
 */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    url: "",
    cutAfterBytes: Number.POSITIVE_INFINITY,
    lastResponseBytes: 0,
    close: async () => {},
  };
  const server = createServer((client) => {
    const target = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client);
    sockets.add(target);
    let forwarded = 0;
    // Each request on a kept-alive connection starts a new response: count its bytes afresh.
    client.on("data", (chunk) => {
      forwarded = 0;
      target.write(chunk);
    });
    target.on("data", (chunk: Buffer) => {
      const room = proxy.cutAfterBytes - forwarded;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      forwarded += part.length;
      proxy.lastResponseBytes = forwarded;
      client.write(part);
      if (forwarded >= proxy.cutAfterBytes) {
        client.destroy();
        target.destroy();
      }
    });
    const end = () => {
      client.destroy();
      target.destroy();
    };
    client.on("close", end);
    target.on("close", end);
    client.on("error", end);
    target.on("error", end);
  });
  Object.assign(proxy, await listenOnLoopback(server, sockets));
  return proxy;
}

/** What the HTTP fault proxy does to the next `POST …/chat/completions` exchanges (other paths pass through). */
export type HttpFault =
  | { kind: "none" }
  /** Answers this status itself with an error body in llama-server's shape (`{error: {code, message, type}}`). */
  | { kind: "status"; status: number; message: string }
  /** Forwards the first `afterBytes` of the response body, then kills the connection (0: the headers, then it ends). */
  | { kind: "cut"; afterBytes: number }
  /** Forwards `afterFrames` SSE frames, then goes silent with the connection open (0: not even headers). */
  | { kind: "stall"; afterFrames: number }
  /** Forwards `afterFrames` frames, then ends the body cleanly: no finish frame, no `[DONE]`. */
  | { kind: "truncate"; afterFrames: number }
  /** After the first content frame, sends a frame that is not JSON, then ends. */
  | { kind: "malformed" }
  /** After the first content frame, `frames` copies of it with `frameBytes` of content each, then the rest. */
  | { kind: "inflate"; frames: number; frameBytes: number };

export interface HttpFaultProxy {
  url: string;
  fault: HttpFault;
  /** Exchanges forwarded whose client side (the gateway) has not closed yet. */
  inFlight: number;
  /** Open connections from the gateway. */
  connections: number;
  /** Response body bytes the gateway's socket accepted on the current exchange (written without backpressure). */
  bodyBytesAccepted: number;
  /** The bodies of the generation requests forwarded, as the gateway sent them upstream, oldest first. */
  generationBodies: string[];
  /** The bodies of `/completion` requests (prompts Switchyard rendered, and its one-token probes), oldest first; never faulted. */
  completionBodies: string[];
  close(): Promise<void>;
}

/**
 * An HTTP-aware proxy in front of the real llama-server. Faults apply to generation requests only, so
 * /props, /apply-template and /health keep working. Frames it adds are copies of the real server's own
 * frames with their content replaced, so everything but the fault is what llama-server sent.
 */
export async function startHttpFaultProxy(upstreamUrl: string): Promise<HttpFaultProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<Socket>();
  const proxy: HttpFaultProxy = {
    url: "",
    fault: { kind: "none" },
    inFlight: 0,
    connections: 0,
    bodyBytesAccepted: 0,
    generationBodies: [],
    completionBodies: [],
    close: async () => {},
  };
  const server = createHttpServer((incoming, outgoing) => {
    const generation = /\/chat\/completions$/.test(incoming.url ?? "");
    const fault = generation ? proxy.fault : ({ kind: "none" } as const);
    if (generation) {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.once("end", () => proxy.generationBodies.push(Buffer.concat(chunks).toString("utf8")));
    }
    if (/\/completion$/.test(incoming.url ?? "")) {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.once("end", () => proxy.completionBodies.push(Buffer.concat(chunks).toString("utf8")));
    }
    proxy.inFlight++;
    outgoing.once("close", () => proxy.inFlight--);
    if (fault.kind === "status") {
      incoming.resume();
      incoming.once("end", () => {
        const body = JSON.stringify({ error: { code: fault.status, message: fault.message, type: "server_error" } });
        outgoing.writeHead(fault.status, { "content-type": "application/json" }).end(body);
      });
      return;
    }
    // A fresh upstream connection per exchange (agent: false): a kept-alive one llama-server closed
    // after its 5 s idle timeout would fail the exchange, and the proxy would pass that on as a fault
    // nobody asked for (Switchyard does not resend a POST that may have reached the server).
    const forward = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      agent: false,
    });
    incoming.pipe(forward);
    // The gateway went away (or timed out): the upstream request goes too, as a real client's would.
    outgoing.once("close", () => forward.destroy());
    forward.once("error", () => outgoing.destroy());
    forward.once("response", (answer) => {
      if (fault.kind === "none") {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        return;
      }
      void faultyBody(answer, outgoing, fault, proxy);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    proxy.connections++;
    socket.once("close", () => {
      sockets.delete(socket);
      proxy.connections--;
    });
  });
  Object.assign(proxy, await listenOnLoopback(server, sockets));
  return proxy;
}

async function faultyBody(
  answer: IncomingMessage,
  outgoing: ServerResponse,
  fault: Exclude<HttpFault, { kind: "none" | "status" }>,
  proxy: HttpFaultProxy,
): Promise<void> {
  proxy.bodyBytesAccepted = 0;
  if (fault.kind === "stall" && fault.afterFrames === 0) return answer.resume() && undefined;
  const { "content-length": _length, ...headers } = answer.headers;
  outgoing.writeHead(answer.statusCode ?? 502, headers);
  if (fault.kind === "cut" && fault.afterBytes === 0) {
    // The headers alone, then the connection ends in the middle of the (chunked) body.
    outgoing.flushHeaders();
    outgoing.socket?.end();
    answer.resume();
    return;
  }
  const write = async (text: string | Buffer) => {
    if (outgoing.destroyed) return;
    const flowing = outgoing.write(text);
    proxy.bodyBytesAccepted += Buffer.byteLength(text);
    if (flowing) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        outgoing.off("drain", done).off("close", done);
        resolve();
      };
      outgoing.on("drain", done).on("close", done);
    });
  };
  let sentBytes = 0;
  let frames = 0;
  let pending = "";
  let injected = false;
  for await (const chunk of answer) {
    if (outgoing.destroyed) break;
    if (fault.kind === "cut") {
      const part = (chunk as Buffer).subarray(0, Math.max(0, fault.afterBytes - sentBytes));
      sentBytes += part.length;
      await write(part);
      if (sentBytes >= fault.afterBytes) return void outgoing.socket?.destroy();
      continue;
    }
    pending += (chunk as Buffer).toString("utf8");
    for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
      const frame = pending.slice(0, end + 2);
      pending = pending.slice(end + 2);
      frames++;
      if ((fault.kind === "stall" || fault.kind === "truncate") && frames > fault.afterFrames) {
        if (fault.kind === "truncate") outgoing.end();
        answer.resume();
        return;
      }
      await write(frame);
      const content = contentFrame(frame);
      if (!content || injected) continue;
      injected = true;
      if (fault.kind === "malformed") {
        await write('data: {"choices":[{"index":0,"delta":{"content":"unterminated\n\n');
        outgoing.end();
        answer.resume();
        return;
      }
      if (fault.kind === "inflate") {
        const padding = "x".repeat(fault.frameBytes);
        for (let copy = 0; copy < fault.frames && !outgoing.destroyed; copy++) await write(content(padding));
      }
    }
  }
  if (!outgoing.destroyed) outgoing.end(pending);
}

/** For a real content frame, a function making the same frame with other content (and no timings). */
function contentFrame(frame: string): ((content: string) => string) | undefined {
  const data = /^data: (\{.*\})\n\n$/s.exec(frame)?.[1];
  if (!data) return undefined;
  const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }>; timings?: unknown };
  if (typeof chunk.choices?.[0]?.delta?.content !== "string") return undefined;
  return (content) => {
    const copy = structuredClone(chunk);
    delete copy.timings;
    (copy.choices?.[0]?.delta as { content: string }).content = content;
    return `data: ${JSON.stringify(copy)}\n\n`;
  };
}
