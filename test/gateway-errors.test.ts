import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { startSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { startFaultProxy } from "./support/fault-proxy.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

const hello = (extra: Record<string, unknown> = {}) => ({
  model: "sonnet",
  max_tokens: 64,
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});

describe("errors in Anthropic's shape", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway({ engine: { slots: 2, contextSize: 8192, cacheRamMiB: 0 } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("turns a context overflow into 400 'prompt is too long: N tokens > M maximum'", async () => {
    const words = Array.from({ length: 6000 }, (_, index) => `w${index}`).join(" ");
    for (const stream of [false, true]) {
      const response = await post(
        `${gateway.url}/v1/messages`,
        hello({ stream, messages: [{ role: "user", content: words }] }),
      );
      expect(response.status).toBe(400);
      const body = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(body.type).toBe("error");
      expect(body.error.type).toBe("invalid_request_error");
      expect(body.error.message).toMatch(/^prompt is too long: \d+ tokens > 8192 maximum$/);
    }
  });

  it("rejects bad input with 400 naming what is wrong", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...hello(), max_tokens: "many" }, /max_tokens/],
      [{ ...hello(), messages: [] }, /at least one message/],
      [{ ...hello(), messages: [{ role: "user", content: [{ type: "mystery" }] }] }, /messages\.0\.content/],
      [
        {
          ...hello(),
          messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "ok" }] }],
        },
        /no earlier tool_use has that id/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await post(`${gateway.url}/v1/messages`, body);
      expect(response.status).toBe(400);
      const json = (await response.json()) as { error: { type: string; message: string } };
      expect(json.error.type).toBe("invalid_request_error");
      expect(json.error.message).toMatch(message);
    }
    const notJson = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ nope",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it("answers unknown routes with 404 not_found_error", async () => {
    const response = await fetch(`${gateway.url}/v2/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  });
});

describe("client disconnects", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway({ engine: { slots: 2, contextSize: 65536, cacheRamMiB: 0 } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  // A schema that forces at least 500 characters: seconds of grammar-constrained generation on the test
  // model, so a slot freed within a second of the disconnect was freed by the abort.
  const longAnswer = {
    anthropic: {
      path: "/v1/messages",
      body: (stream: boolean) =>
        hello({
          stream,
          max_tokens: 4000,
          output_config: { format: { type: "json_schema", schema: { type: "string", minLength: 500 } } },
        }),
      marker: "content_block_delta",
    },
    openai: {
      path: "/v1/chat/completions",
      body: (stream: boolean) => ({
        model: "local",
        stream,
        max_tokens: 4000,
        messages: [{ role: "user", content: "hi" }],
        response_format: {
          type: "json_schema",
          json_schema: { name: "long", schema: { type: "string", minLength: 500 } },
        },
      }),
      marker: '"content":',
    },
  };

  for (const door of ["anthropic", "openai"] as const) {
    for (const stream of [true, false]) {
      it(`${door} ${stream ? "streaming" : "non-streaming"}: abort the upstream request at once, freeing the llama-server slot`, async () => {
        const engine = gateway.engine?.url as string;
        const busy = async () => {
          const slots = (await (await fetch(`${engine}/slots`)).json()) as Array<{ is_processing: boolean }>;
          return slots.some((slot) => slot.is_processing);
        };
        const { path, body, marker } = longAnswer[door];
        const controller = new AbortController();
        const pending = fetch(`${gateway.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body(stream)),
          signal: controller.signal,
        });
        if (stream) {
          const response = await pending;
          expect(response.status).toBe(200);
          const reader = response.body?.getReader();
          let seen = "";
          while (!seen.includes(marker)) {
            const chunk = await reader?.read();
            if (!chunk || chunk.done) break;
            seen += new TextDecoder().decode(chunk.value);
          }
          expect(seen).toContain(marker);
        } else {
          pending.catch(() => {});
          let started = false;
          for (let polls = 0; polls < 400 && !started; polls++) {
            await delay(25);
            started = await busy();
          }
        }
        expect(await busy(), "the slot is generating before the abort").toBe(true);
        const records = gateway.recorder.recent(10_000).length;
        controller.abort();
        // At most one second of polling: a bound on behaviour, not a speed measurement.
        let freed = false;
        for (let polls = 0; polls < 20 && !freed; polls++) {
          await delay(50);
          freed = !(await busy());
        }
        expect(freed, "the slot is free within 20 polls 50 ms apart").toBe(true);
        const turn = (await waitForTurns(gateway.recorder, records + 1)).at(-1);
        expect(turn?.clientAborted).toBe(true);
        expect(turn?.usage?.outputTokens ?? 0).toBeLessThan(400);
      });
    }
  }
});

describe("upstream failures", () => {
  it("gives a real HTTP status when the backend is down before the first byte", async () => {
    const deadPort = await freePort();
    const running = await startSwitchyard({
      config: configSchema.parse({
        backends: [{ name: "dead", type: "llama-server", url: `http://127.0.0.1:${deadPort}` }],
      }),
      port: 0,
      probeLocal: false,
    });
    try {
      const response = await post(`${running.url}/v1/messages`, hello({ stream: true }));
      expect(response.status).toBe(502);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe("api_error");
      expect(body.error.message).toMatch(/unreachable/);
    } finally {
      await running.close();
    }
  });

  it("ends a stream cut mid-way with event: error and a clean close", async () => {
    const gateway = await startTestGateway();
    const proxy = await startFaultProxy(gateway.engine?.url as string);
    const flaky = await startSwitchyard({
      config: configSchema.parse({ backends: [{ name: "flaky", type: "llama-server", url: proxy.url }] }),
      port: 0,
      probeLocal: false,
    });
    try {
      const whole = await post(`${flaky.url}/v1/messages`, hello({ stream: true }));
      expect(checkAnthropicStream(await whole.text()).ok).toBe(true);
      // The same request again, its upstream response cut in the middle of the SSE body.
      proxy.cutAfterBytes = Math.floor(proxy.lastResponseBytes * 0.6);
      const cut = await post(`${flaky.url}/v1/messages`, hello({ stream: true }));
      expect(cut.status).toBe(200);
      const check = checkAnthropicStream(await cut.text());
      expect(check.violations).toEqual([]);
      expect(check.events.at(-1)?.type).toBe("error");
      expect(check.error?.type).toBe("api_error");
      // The gateway keeps serving.
      proxy.cutAfterBytes = Number.POSITIVE_INFINITY;
      const again = await post(`${flaky.url}/v1/messages`, hello());
      expect(again.status).toBe(200);
    } finally {
      await flaky.close();
      await proxy.close();
      await gateway.close();
    }
  });
});
