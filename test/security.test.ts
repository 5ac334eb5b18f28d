import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { runCli } from "./cli.js";
import { countedChat, withCountingGateway } from "./support/counting-gateway.js";
import { openAIErrorBody, startOpenAIProtocolServer } from "./support/openai-protocol-server.js";

const UPSTREAM_KEY = "sk-proj-UPSTREAMsecret0123456789abcdef";
const CLIENT_SECRET_IN_BODY = "sk-ant-api03-CLIENTsecretXYZ0123456789";

const GATEWAY_KEY = "gateway-key-0123456789abcdefghijklmnop";

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

  it("`serve --host 0.0.0.0` with a 10-character key exits non-zero, naming the command that makes a good one", async () => {
    // A backend where nothing listens: were the key accepted, serve would fail there, with another message.
    const args = ["serve", "--host", "0.0.0.0", "--port", "0", "--backend", "http://127.0.0.1:9"];
    const result = await runCli(args, { SWITCHYARD_API_KEY: "0123456789" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/API key of 10 characters: beyond loopback it must have at least 32/);
    expect(result.stderr).toMatch(/Run `switchyard key`/);
  });

  it("`switchyard key` prints a key long enough, and says where to put it", async () => {
    const result = await runCli(["key"]);
    expect(result.code).toBe(0);
    const key = result.stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(result.stderr).toContain(`export SWITCHYARD_API_KEY=${key}`);
    expect(result.stderr).toMatch(/"gateway": \{ "apiKey"/);
    expect((await runCli(["key"])).stdout.trim()).not.toBe(key);
  });

  it("listens beyond loopback with a key, and refuses calls without it", async () => {
    const upstream = await startOpenAIProtocolServer({ script: () => ({ status: 200, sse: "text-stream" }) });
    try {
      await withGateway(
        {
          gateway: { apiKey: GATEWAY_KEY },
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
            { "x-api-key": GATEWAY_KEY.slice(0, -1) },
            { "x-api-key": `${GATEWAY_KEY}-and-more` },
          ];
          for (const wrong of wrongKeys) {
            const refused = await post(wrong);
            expect(refused.status).toBe(401);
            expect(((await refused.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
          }
          expect((await post({ "x-api-key": GATEWAY_KEY })).status).toBe(200);
          expect((await post({ authorization: `Bearer ${GATEWAY_KEY}` })).status).toBe(200);
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

/** A request with the Host and headers given (fetch will not send a Host of our choosing; node:http will). */
function rawRequest(
  url: string,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: "127.0.0.1", port, method: options.method, path: options.path, headers: options.headers },
      (incoming) => {
        let text = "";
        incoming.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/** Every route the gateway serves, with a body where it takes one. */
const ROUTES: Array<{ method: string; path: string; headers?: Record<string, string>; body?: unknown }> = [
  { method: "HEAD", path: "/" },
  { method: "GET", path: "/" },
  { method: "GET", path: "/", headers: { accept: "text/html" } },
  { method: "OPTIONS", path: "/v1/messages" },
  { method: "GET", path: "/health" },
  { method: "POST", path: "/v1/messages", body: countedChat },
  { method: "POST", path: "/v1/messages?beta=true", body: countedChat },
  { method: "POST", path: "/v1/messages/count_tokens", body: countedChat },
  { method: "POST", path: "/v1/chat/completions", body: countedChat },
  { method: "GET", path: "/v1/models" },
  { method: "GET", path: "/v1/switchyard/info" },
  { method: "GET", path: "/v1/switchyard/turns" },
  { method: "GET", path: "/v1/switchyard/sessions/some-session/summary" },
  { method: "GET", path: "/metrics" },
  { method: "GET", path: "/dashboard/login" },
  { method: "POST", path: "/dashboard/login", headers: { "content-type": "application/x-www-form-urlencoded" } },
  { method: "GET", path: "/dashboard/api/overview" },
  { method: "GET", path: "/dashboard/static/dashboard.css" },
  { method: "GET", path: "/no/such/route" },
  { method: "HEAD", path: "/api/hello" },
];

const send = (url: string, route: (typeof ROUTES)[number], headers: Record<string, string>) =>
  rawRequest(url, {
    method: route.method,
    path: route.path,
    headers: {
      ...(route.body ? { "content-type": "application/json" } : {}),
      ...route.headers,
      ...headers,
    },
    body: route.body ? JSON.stringify(route.body) : undefined,
  });

/** The error's type, in whichever protocol's shape it came. */
const errorType = (text: string) => (JSON.parse(text) as { error?: { type?: string } }).error?.type;

/** Every route answers 403 permission_error to a request with these headers, in its protocol's shape. */
async function expectRefusedOnEveryRoute(url: string, headers: Record<string, string>): Promise<void> {
  for (const route of ROUTES) {
    const answer = await send(url, route, headers);
    expect(answer.status, `${route.method} ${route.path}`).toBe(403);
    if (route.method === "HEAD") continue;
    const body = JSON.parse(answer.text) as { type?: string; error: { type: string } };
    expect(body.error.type, route.path).toBe("permission_error");
    // Anthropic's {type: "error", error} everywhere but the OpenAI door, which gets {error: {…, code}}.
    expect(body.type, route.path).toBe(route.path === "/v1/chat/completions" ? undefined : "error");
  }
}

describe("a keyless gateway under another name (DNS rebinding)", () => {
  it("answers 403 on every route to Host: evil.example, and the backend hears nothing", async () => {
    await withCountingGateway({}, async (counting) => {
      const url = counting.gateway.url;
      await expectRefusedOnEveryRoute(url, { host: "evil.example" });
      // The same request under the loopback address is served.
      const served = await send(url, ROUTES[5] as (typeof ROUTES)[number], { host: new URL(url).host });
      expect(served.status).toBe(200);
      expect(counting.generations()).toBe(1);
    });
  });

  it("with a key, any Host may be used (the key is the guard)", async () => {
    await withCountingGateway({ gateway: { apiKey: GATEWAY_KEY } }, async (counting) => {
      const route = ROUTES[5] as (typeof ROUTES)[number];
      const answer = await send(counting.gateway.url, route, { host: "mybox.lan:4747", "x-api-key": GATEWAY_KEY });
      expect(answer.status).toBe(200);
    });
  });
});

describe("cross-origin requests (what a web page's fetch sends)", () => {
  it("are refused on every route in the protocol's error shape, and reach no backend", async () => {
    await withCountingGateway({}, async (counting) => {
      const url = counting.gateway.url;
      await expectRefusedOnEveryRoute(url, { origin: "https://evil.example" });
      const textPlain = await rawRequest(url, {
        method: "POST",
        path: "/v1/messages",
        headers: { origin: "http://localhost:3000", "content-type": "text/plain" },
        body: JSON.stringify(countedChat),
      });
      expect(textPlain.status).toBe(403);
      // "null" is what sandboxed frames and file: pages send.
      const nullOrigin = await send(url, ROUTES[5] as (typeof ROUTES)[number], { origin: "null" });
      expect(nullOrigin.status).toBe(403);
      expect(counting.generations()).toBe(0);
    });
  });

  it("are served from the gateway's own origin and from gateway.corsOrigins", async () => {
    await withCountingGateway({ gateway: { corsOrigins: ["http://localhost:5173"] } }, async (counting) => {
      const url = counting.gateway.url;
      const route = ROUTES[5] as (typeof ROUTES)[number];
      expect((await send(url, route, { origin: "http://localhost:5173" })).status).toBe(200);
      expect((await send(url, route, { origin: url, host: new URL(url).host })).status).toBe(200);
      expect(counting.generations()).toBe(2);
    });
  });
});

describe("request bodies", () => {
  it("must be labelled JSON on the API routes (415 in the door's shape); a charset parameter is fine", async () => {
    await withCountingGateway({}, async (counting) => {
      for (const path of ["/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions"]) {
        for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
          const answer = await rawRequest(counting.gateway.url, {
            method: "POST",
            path,
            headers: type ? { "content-type": type } : {},
            body: JSON.stringify(countedChat),
          });
          expect(answer.status, `${path} ${type}`).toBe(415);
          expect(errorType(answer.text)).toBe("invalid_request_error");
          expect(answer.text).toMatch(/must be sent as application\/json/);
        }
      }
      expect(counting.generations()).toBe(0);
      const withCharset = await rawRequest(counting.gateway.url, {
        method: "POST",
        path: "/v1/messages",
        headers: { "content-type": "Application/JSON; charset=utf-8" },
        body: JSON.stringify(countedChat),
      });
      expect(withCharset.status).toBe(200);
    });
  });
});

describe("/health", () => {
  it("answers from the monitor's state: the backend counts no request per /health", async () => {
    await withCountingGateway({}, async (counting) => {
      const before = counting.upstream.requests.length;
      for (let probe = 0; probe < 5; probe++) {
        const health = (await (await fetch(`${counting.gateway.url}/health`)).json()) as {
          status: string;
          backends: Array<{ name: string; up: boolean }>;
        };
        expect(health.status).toBe("ok");
        expect(health.backends.map((backend) => [backend.name, backend.up])).toEqual([["counted", true]]);
      }
      expect(counting.upstream.requests.length - before).toBe(0);
    });
  });

  it("says only up or down without the key; backends and reasons need it", async () => {
    await withCountingGateway({ gateway: { apiKey: GATEWAY_KEY } }, async (counting) => {
      const anonymous = (await (await fetch(`${counting.gateway.url}/health`)).json()) as Record<string, unknown>;
      expect(anonymous).toEqual({ status: "ok" });
      const keyed = (await (
        await fetch(`${counting.gateway.url}/health`, { headers: { "x-api-key": GATEWAY_KEY } })
      ).json()) as { backends: Array<{ name: string; url: string }> };
      expect(keyed.backends[0]?.name).toBe("counted");
      expect(keyed.backends[0]?.url).toBe(`${counting.upstream.url}/v1`);
    });
  });
});
