import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { inspectLlamaServer } from "../src/doctor/inspect-llama-server.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

const KEY = "switchyard-test-key-0123456789abcdef";

/**
 * A llama-server the user started with `--api-key`: only /health answers without the key
 * (server-http.cpp's public endpoints), so Switchyard must send it on every request, take it from
 * LLAMA_API_KEY (the variable llama-server itself reads for it) or the backend's config, and say so when
 * it has none or the wrong one.
 */
describe("a llama-server started with --api-key", () => {
  let server: UserLlamaServer | undefined;
  let url: string;
  const gateways: RunningSwitchyard[] = [];

  beforeAll(async () => {
    server = await startUserLlamaServer(await freePort(), ["--api-key", KEY]);
    url = server.url;
  }, 120_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await server?.stop();
  });

  async function gatewayWith(options: { backendUrls?: string[]; config?: Record<string, unknown> }) {
    const gateway = await startSwitchyard({
      config: configSchema.parse({ telemetry: { turnsFile: null }, store: { path: null }, ...options.config }),
      host: "127.0.0.1",
      port: 0,
      backendUrls: options.backendUrls,
      probeLocal: false,
    });
    gateways.push(gateway);
    return gateway;
  }

  const ask = (gateway: RunningSwitchyard) =>
    fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
    });

  /** Runs `work` with LLAMA_API_KEY set to `key` (or unset), as the user's shell would have it. */
  async function withKeyVariable<T>(key: string | undefined, work: () => Promise<T>): Promise<T> {
    const before = process.env.LLAMA_API_KEY;
    if (key === undefined) delete process.env.LLAMA_API_KEY;
    else process.env.LLAMA_API_KEY = key;
    try {
      return await work();
    } finally {
      if (before === undefined) delete process.env.LLAMA_API_KEY;
      else process.env.LLAMA_API_KEY = before;
    }
  }

  it("is recognised by --backend without its key, and each request says which key is missing", async () => {
    const gateway = await withKeyVariable(undefined, () => gatewayWith({ backendUrls: [url] }));
    expect(gateway.backends[0]?.kind).toBe("llama-server");
    const response = await ask(gateway);
    expect(response.status).toBe(401);
    const { error } = (await response.json()) as { error: { type: string; message: string } };
    expect(error.type).toBe("authentication_error");
    expect(error.message).toBe(
      "backend1: Invalid API Key (llama-server was started with --api-key and Switchyard sent no key: set LLAMA_API_KEY to its key, or apiKey / apiKeyEnv in this backend's config)",
    );
  });

  it("sends the key from LLAMA_API_KEY to a server given with --backend", async () => {
    const gateway = await withKeyVariable(KEY, () => gatewayWith({ backendUrls: [url] }));
    const response = await ask(gateway);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as { content: unknown[] }).content.length).toBeGreaterThan(0);
  });

  it("sends the configured key, and says when the server refuses it", async () => {
    const right = await withKeyVariable(undefined, () =>
      gatewayWith({ config: { backends: [{ name: "keyed", type: "llama-server", url, apiKey: KEY }] } }),
    );
    expect((await ask(right)).status).toBe(200);
    const wrong = await withKeyVariable(undefined, () =>
      gatewayWith({
        config: { backends: [{ name: "keyed", type: "llama-server", url, apiKey: "not-the-key-0123456789abcdef" }] },
      }),
    );
    const response = await ask(wrong);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain("llama-server was started with --api-key and refused the key Switchyard sent");
    expect(text).not.toContain("not-the-key");
  });

  it("is inspected by doctor with the key from LLAMA_API_KEY", async () => {
    const findings = await withKeyVariable(KEY, () => inspectLlamaServer(url));
    expect(findings.find((finding) => finding.check === "reachable")?.level).toBe("ok");
    expect(JSON.stringify(findings)).not.toContain("Invalid API Key");
  });
});
