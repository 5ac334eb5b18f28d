import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { countedChat, startCountingGateway } from "./support/counting-gateway.js";

type Counting = Awaited<ReturnType<typeof startCountingGateway>>;
const running: Counting[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const counting of running.splice(0)) await counting.close();
});

/** Short deadlines, so a test waits a second or two, not minutes; the rule is the same at any length. */
async function gatewayWithDeadlines(gateway: Record<string, unknown> = {}) {
  const counting = await startCountingGateway({
    gateway: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, ...gateway },
  });
  running.push(counting);
  return counting;
}

function open(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
    sockets.push(socket);
  });
}

/**
 * Sends `text` one byte a second, as a slowloris client does, until the server closes the connection.
 * Resolves with what the server answered and how many bytes had been sent by then.
 */
async function trickle(url: string, text: string): Promise<{ answer: string; sent: number }> {
  const socket = await open(url);
  let answer = "";
  let sent = 0;
  socket.on("data", (chunk: Buffer) => {
    answer += chunk.toString();
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const timer = setInterval(() => {
    if (sent < text.length && socket.writable) socket.write(text[sent++] as string);
  }, 1000);
  await closed;
  clearInterval(timer);
  return { answer, sent };
}

const normalRequest = (url: string) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(countedChat),
  });

describe("slow clients", () => {
  it("a client sending its headers one byte a second is cut at the headers deadline with a 408; others are served meanwhile", async () => {
    const { gateway } = await gatewayWithDeadlines();
    const body = JSON.stringify(countedChat);
    const request = `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const slow = trickle(gateway.url, request);
    const normal = await normalRequest(gateway.url);
    expect(normal.status).toBe(200);
    expect(await normal.text()).toContain('"stop_reason":"end_turn"');
    const { answer, sent } = await slow;
    expect(sent).toBeLessThan(request.indexOf("\r\n\r\n"));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Before its headers the path is unknown: the body is Anthropic's shape.
    const error = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { type: string; error: { type: string } };
    expect(error).toMatchObject({ type: "error", error: { type: "timeout_error" } });
  }, 20_000);

  it("a body sent one byte a second is cut at the request deadline, answered in the door's protocol", async () => {
    const { gateway } = await gatewayWithDeadlines();
    const body = JSON.stringify(countedChat);
    const socket = await open(gateway.url);
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.writable) socket.write(body[sent++] as string);
    }, 1000);
    await closed;
    clearInterval(timer);
    expect(sent).toBeLessThan(body.length);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const error = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { error: { type: string; code: string } };
    expect(error.error.code).toBe("request_timeout");
  }, 20_000);

  it("200 idle sockets do not stop a new client, and no more than maxConnections are held", async () => {
    const { gateway } = await gatewayWithDeadlines({
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
      maxConnections: 50,
    });
    const idle = await Promise.all(Array.from({ length: 200 }, () => open(gateway.url)));
    for (const socket of idle) socket.on("error", () => {});
    const response = await normalRequest(gateway.url);
    expect(response.status).toBe(200);
    await response.text();
    const held = await new Promise<number>((resolve, reject) =>
      gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(held).toBeLessThanOrEqual(50);
  });
});
