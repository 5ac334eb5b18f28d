import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AnthropicBackend } from "../src/backends/anthropic/anthropic-backend.js";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { OpenAICompatibleBackend } from "../src/backends/openai-compatible/openai-compatible-backend.js";
import { HubClient } from "../src/pull/hub-client.js";
import { freePort } from "../src/util/free-port.js";
import { forwardRequest } from "./support/forward-request.js";

/**
 * A company network: the way out is a proxy named by `HTTPS_PROXY` / `HTTP_PROXY`, with `NO_PROXY` for
 * hosts reached directly. Clouds and Hugging Face go through it; servers on this machine never do.
 * The proxy here tunnels CONNECT and forwards absolute-form requests, and notes each. The "cloud" is
 * named `cloud.example.com`, which only the proxy resolves (to the loopback fake): this machine never
 * does, as in a network where only the proxy reaches the internet.
 */
describe("the environment's proxy", () => {
  let proxy: Server;
  let cloud: Server;
  let proxyUrl: string;
  let cloudUrl: string;
  /** The same fake by its loopback address: a server on this machine. */
  let loopbackUrl: string;
  const viaProxy: string[] = [];
  const sockets = new Set<Socket>();

  const listen = async (server: Server) => {
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    cloud = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ data: [{ id: "claude-x" }], has_more: false }));
      void request;
    });
    loopbackUrl = await listen(cloud);
    cloudUrl = `http://cloud.example.com:${new URL(loopbackUrl).port}`;
    proxy = createServer((request, response) => {
      viaProxy.push(`${request.method} ${request.url}`);
      const target = new URL(request.url ?? "");
      forwardRequest(request, response, {
        host: "127.0.0.1",
        port: target.port,
        path: target.pathname + target.search,
      });
    });
    proxy.on("connect", (request, client: Socket, head) => {
      viaProxy.push(`CONNECT ${request.url}`);
      const port = (request.url ?? "").split(":")[1];
      const upstream = connect(Number(port), "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    proxyUrl = await listen(proxy);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    viaProxy.length = 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([cloud, proxy].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const stubProxy = (noProxy = "") => {
    for (const name of ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"])
      vi.stubEnv(name, "");
    vi.stubEnv("HTTP_PROXY", proxyUrl);
    vi.stubEnv("NO_PROXY", noProxy);
  };
  const cloudHost = () => new URL(cloudUrl).host;
  /** The models a new backend lists, the backend closed after. */
  const listedBy = async (backend: { listModels(signal: AbortSignal): Promise<string[]>; close(): Promise<void> }) => {
    try {
      return await backend.listModels(AbortSignal.timeout(5_000));
    } finally {
      await backend.close();
    }
  };

  it("takes a cloud's requests through it", async () => {
    stubProxy();
    for (const backend of [
      new AnthropicBackend({ name: "a", baseUrl: cloudUrl, apiKey: "k" }),
      new OpenAICompatibleBackend({ name: "o", baseUrl: `${cloudUrl}/v1`, apiKey: "k" }),
    ])
      expect(await listedBy(backend)).toEqual(["claude-x"]);
    expect(viaProxy).toHaveLength(2);
    expect(viaProxy.every((line) => line.includes(cloudHost()))).toBe(true);
  });

  it("takes downloads from Hugging Face through it", async () => {
    stubProxy();
    const response = await new HubClient({ endpoint: cloudUrl }).request(`${cloudUrl}/api/models/x`);
    expect(response.status).toBe(200);
    expect(viaProxy).toEqual([expect.stringContaining(cloudHost())]);
  });

  it("goes straight to a host NO_PROXY names", async () => {
    stubProxy("example.com");
    // Straight means this machine resolves the name, which it cannot here.
    await expect(listedBy(new AnthropicBackend({ name: "a", baseUrl: cloudUrl, apiKey: "k" }))).rejects.toThrow();
    expect(viaProxy).toEqual([]);
  });

  it("never takes a server on this machine through it, of a local kind or a cloud kind", async () => {
    stubProxy();
    for (const backend of [
      new LlamaServerBackend({ name: "l", baseUrl: loopbackUrl }),
      new AnthropicBackend({ name: "a", baseUrl: loopbackUrl, apiKey: "k" }),
      new OpenAICompatibleBackend({ name: "o", baseUrl: `${loopbackUrl}/v1`, apiKey: "k" }),
    ])
      expect(await listedBy(backend)).toEqual(["claude-x"]);
    const local = await new HubClient({ endpoint: loopbackUrl }).request(`${loopbackUrl}/api/models/x`);
    expect(local.status).toBe(200);
    expect(viaProxy).toEqual([]);
  });

  it("is not used when the environment names none", async () => {
    for (const name of ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]) vi.stubEnv(name, "");
    const backend = new AnthropicBackend({ name: "a", baseUrl: loopbackUrl, apiKey: "k" });
    expect(await listedBy(backend)).toEqual(["claude-x"]);
    expect(viaProxy).toEqual([]);
  });
});
