import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { runCli } from "./cli.js";
import { openAIErrorBody, startOpenAIProtocolServer } from "./support/openai-protocol-server.js";

const UPSTREAM_KEY = "sk-proj-UPSTREAMsecret0123456789abcdef";
const CLIENT_SECRET_IN_BODY = "sk-ant-api03-CLIENTsecretXYZ0123456789";

const chat = (text: string) => ({ model: "cloud-model", max_tokens: 16, messages: [{ role: "user", content: text }] });

async function withGateway(
  config: Record<string, unknown>,
  run: (gateway: RunningSwitchyard, log: string[]) => Promise<void>,
  host = "127.0.0.1",
): Promise<void> {
  const log: string[] = [];
  const gateway = await startSwitchyard({
    config: configSchema.parse({ telemetry: { turnsFile: null }, ...config }),
    host,
    port: 0,
    probeLocal: false,
    say: (line) => log.push(line),
  });
  try {
    await run(gateway, log);
  } finally {
    await gateway.close();
  }
}

describe("listening beyond loopback", () => {
  it("`serve --host 0.0.0.0` without an API key exits non-zero, naming the fix", async () => {
    const result = await runCli(["serve", "--host", "0.0.0.0", "--port", "0"], { SWITCHYARD_API_KEY: "" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without an API key/);
    expect(result.stderr).toMatch(/SWITCHYARD_API_KEY/);
  });

  it("listens beyond loopback with a key, and refuses calls without it", async () => {
    const upstream = await startOpenAIProtocolServer({ script: () => ({ status: 200, sse: "text-stream" }) });
    try {
      await withGateway(
        {
          gateway: { apiKey: "gateway-key-0123456789" },
          backends: [{ name: "cloud", type: "openai-compatible", url: `${upstream.url}/v1`, models: ["cloud-model"] }],
        },
        async (gateway) => {
          const url = gateway.url.replace("0.0.0.0", "127.0.0.1");
          const post = (headers: Record<string, string>) =>
            fetch(`${url}/v1/messages`, {
              method: "POST",
              headers: { "content-type": "application/json", ...headers },
              body: JSON.stringify(chat("hi")),
            });
          const wrongKeys: Array<Record<string, string>> = [
            {},
            { "x-api-key": "gateway-key" },
            { "x-api-key": "gateway-key-0123456789-and-more" },
          ];
          for (const wrong of wrongKeys) {
            const refused = await post(wrong);
            expect(refused.status).toBe(401);
            expect(((await refused.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
          }
          expect((await post({ "x-api-key": "gateway-key-0123456789" })).status).toBe(200);
          expect((await post({ authorization: "Bearer gateway-key-0123456789" })).status).toBe(200);
        },
        "0.0.0.0",
      );
    } finally {
      await upstream.close();
    }
  });
});

describe("upstream keys", () => {
  it("never reach a client, a turn record or a log line, even when the upstream echoes them", async () => {
    // An upstream that, like some servers, echoes the credential it was sent in its error message.
    const upstream = await startOpenAIProtocolServer({
      script: (request) => ({
        status: 401,
        json: openAIErrorBody(
          `Incorrect API key provided: ${String(request.headers.authorization).slice(7)}`,
          "invalid_request_error",
          "invalid_api_key",
        ),
      }),
    });
    try {
      await withGateway(
        {
          backends: [
            {
              name: "cloud",
              type: "openai-compatible",
              url: `${upstream.url}/v1?key=${UPSTREAM_KEY}`,
              apiKey: UPSTREAM_KEY,
              models: ["cloud-model"],
            },
          ],
        },
        async (gateway, log) => {
          const seen: string[] = [];
          for (const [path, body] of [
            ["/v1/messages", chat("hi")],
            ["/v1/chat/completions", chat("hi")],
          ] as const) {
            const response = await fetch(`${gateway.url}${path}`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(body),
            });
            expect(response.status).toBe(401);
            const text = await response.text();
            expect(text).toMatch(/Incorrect API key provided/);
            seen.push(text);
          }
          expect(upstream.requests.some((request) => request.headers.authorization === `Bearer ${UPSTREAM_KEY}`)).toBe(
            true,
          );
          for (const path of ["/health", "/v1/switchyard/info", "/v1/switchyard/turns"])
            seen.push(await (await fetch(`${gateway.url}${path}`)).text());
          await new Promise((resolve) => setTimeout(resolve, 50));
          seen.push(JSON.stringify(gateway.recorder.recent()), ...log);
          for (const text of seen) expect(text).not.toContain("UPSTREAMsecret");
          expect(gateway.recorder.recent().at(-1)?.error?.code).toBe("upstream_auth");
        },
      );
    } finally {
      await upstream.close();
    }
  });
});

describe("body logging", () => {
  const upstreamScript = () => ({ status: 200, sse: "text-stream" }) as const;

  for (const logBodies of [false, true]) {
    it(`${logBodies ? "on: bodies are logged with secrets redacted" : "off by default: no body is logged"}`, async () => {
      const upstream = await startOpenAIProtocolServer({ script: upstreamScript });
      try {
        await withGateway(
          {
            telemetry: { turnsFile: null, ...(logBodies ? { logBodies: true } : {}) },
            backends: [
              { name: "cloud", type: "openai-compatible", url: `${upstream.url}/v1`, models: ["cloud-model"] },
            ],
          },
          async (gateway, log) => {
            const response = await fetch(`${gateway.url}/v1/messages`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                ...chat(`my key is ${CLIENT_SECRET_IN_BODY}, marker-7731`),
                metadata: { api_key: "plain-looking-value" },
              }),
            });
            expect(response.status).toBe(200);
            await new Promise((resolve) => setTimeout(resolve, 50));
            const text = log.join("\n");
            expect(text).not.toContain("CLIENTsecret");
            expect(text).not.toContain("plain-looking-value");
            if (logBodies) {
              expect(text).toMatch(/request body .*marker-7731/);
              expect(text).toMatch(/response body/);
              expect(text).toContain("[redacted]");
            } else expect(text).not.toContain("marker-7731");
          },
        );
      } finally {
        await upstream.close();
      }
    });
  }
});

describe("CORS", () => {
  // Never called: the model list is given, and CORS is decided before any backend is.
  const backends = [{ name: "cloud", type: "openai-compatible", url: "http://127.0.0.1:9/v1", models: ["m"] }];
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/v1/messages`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });

  it("is off by default: no Access-Control-Allow-Origin, and a preflight gets no permissive answer", async () => {
    await withGateway({ backends }, async (gateway) => {
      const answer = await preflight(gateway.url, "https://evil.example");
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
      expect(answer.headers.get("access-control-allow-methods")).toBeNull();
      const get = await fetch(`${gateway.url}/v1/models`, { headers: { origin: "https://evil.example" } });
      expect(get.headers.get("access-control-allow-origin")).toBeNull();
    });
  });

  it("allows exactly the origins named in gateway.corsOrigins", async () => {
    await withGateway({ backends, gateway: { corsOrigins: ["http://localhost:5173"] } }, async (gateway) => {
      const allowed = await preflight(gateway.url, "http://localhost:5173");
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      expect(allowed.headers.get("access-control-allow-methods")).toContain("POST");
      const other = await preflight(gateway.url, "https://evil.example");
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      const get = await fetch(`${gateway.url}/v1/models`, { headers: { origin: "http://localhost:5173" } });
      expect(get.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    });
  });
});
