import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import fc from "fast-check";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReplayUpstream, startReplayUpstream } from "../bench/support/replay-upstream.js";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { createGatewayServer } from "../src/gateway/gateway-server.js";
import { ModelRouter } from "../src/routing/model-router.js";
import { TurnRecorder } from "../src/telemetry/turn-record.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { sessionRouting } from "./support/session-routing.js";

/**
 * Property-based fuzzing of both front doors over real HTTP, against the gateway's server in this
 * process. A request the generator made invalid must get a 4xx in the door's own error shape, saying
 * what is wrong, without reaching the backend; anything else may reach it (a loopback llama-server
 * replaying a recorded stream) and then gets a 200. Nothing may ever get a 5xx or crash the server.
 */

type Door = "anthropic" | "openai";
const PATH: Record<Door, string> = { anthropic: "/v1/messages", openai: "/v1/chat/completions" };
const BODY_LIMIT = 192 * 1024;
const RUNS_PER_SEED = 5_000;
const FIXED_SEED = 20_261_201;

/** A generated case: what to send, and what the answer must be. */
interface FuzzCase {
  door: Door;
  mutation: string;
  body: Buffer;
  chunked: boolean;
  headers: Record<string, string>;
  /** `reject`: a 4xx and the backend untouched; `accept`: a 200; `either`: one of them. */
  expect: "reject" | "accept" | "either";
  status?: number;
  /** What the error message must mention. */
  mentions?: RegExp;
}

const baseRequest = (door: Door, stream: boolean): Record<string, unknown> =>
  door === "anthropic"
    ? {
        model: "local",
        max_tokens: 32,
        stream,
        system: "be brief",
        tools: [{ name: "Bash", description: "run", input_schema: { type: "object", properties: {} } }],
        messages: [
          { role: "user", content: "run ls" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "a.txt" }] },
        ],
      }
    : {
        model: "local",
        max_tokens: 32,
        stream,
        tools: [{ type: "function", function: { name: "Bash", parameters: { type: "object", properties: {} } } }],
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "run ls" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "Bash", arguments: '{"command":"ls"}' } }],
          },
          { role: "tool", tool_call_id: "call_1", content: "a.txt" },
        ],
      };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const messagesOf = (body: Record<string, unknown>) => body.messages as Array<Record<string, unknown>>;

/** `"leaf"` in `depth` levels of alternating arrays and objects, as JSON text (JSON.stringify would recurse). */
function nestedText(depth: number): string {
  const opens: string[] = [];
  const closes: string[] = [];
  for (let level = 0; level < depth; level++) {
    opens.push(level % 2 ? "[" : '{"a":');
    closes.push(level % 2 ? "]" : "}");
  }
  return `${opens.join("")}"leaf"${closes.reverse().join("")}`;
}

/** The request as JSON with `"__DEEP__"` replaced by nesting `depth` levels deep. */
const withNesting = (body: unknown, depth: number) =>
  Buffer.from(JSON.stringify(body).replace('"__DEEP__"', nestedText(depth)));

const notOfType = {
  string: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })),
  number: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
  array: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string())),
};

const headerValue = fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_=;,./:{}\"'\t!~"), maxLength: 60 });
const garbageHeaders = fc.dictionary(
  fc.constantFrom(
    "anthropic-version",
    "anthropic-beta",
    "x-claude-code-session-id",
    "x-claude-code-agent-id",
    "x-session-id",
    "x-session-affinity",
    "x-mystery",
  ),
  headerValue,
  { maxKeys: 4 },
);

function fuzzCase(): fc.Arbitrary<FuzzCase> {
  const door = fc.constantFrom<Door>("anthropic", "openai");
  const base = fc.record({ door, stream: fc.boolean() });
  const make = (partial: Omit<FuzzCase, "chunked" | "headers"> & Partial<FuzzCase>): FuzzCase => ({
    chunked: false,
    headers: { "content-type": "application/json" },
    ...partial,
  });
  return fc.oneof(
    base.map(({ door, stream }) =>
      make({ door, mutation: "valid", body: json(baseRequest(door, stream)), expect: "accept" }),
    ),
    fc.record({ door, stream: fc.boolean(), headers: garbageHeaders }).map(({ door, stream, headers }) =>
      make({
        door,
        mutation: "garbage headers",
        body: json(baseRequest(door, stream)),
        headers: { "content-type": "application/json", ...headers },
        expect: "either",
      }),
    ),
    fc
      .record({ door, stream: fc.boolean(), field: fc.constantFrom("model", "messages", "max_tokens") })
      .filter(({ door, field }) => door === "anthropic" || field !== "max_tokens")
      .map(({ door, stream, field }) => {
        const body = baseRequest(door, stream);
        delete body[field];
        return make({
          door,
          mutation: `missing ${field}`,
          body: json(body),
          expect: "reject",
          mentions: new RegExp(field),
        });
      }),
    fc
      .record({
        door,
        stream: fc.boolean(),
        target: fc.oneof(
          fc.record({ field: fc.constant("model"), value: notOfType.string }),
          fc.record({ field: fc.constant("messages"), value: notOfType.array }),
          fc.record({ field: fc.constant("max_tokens"), value: notOfType.number }),
        ),
      })
      .filter(({ target }) => !(target.field === "max_tokens" && target.value === null))
      .map(({ door, stream, target }) => {
        const body = { ...baseRequest(door, stream), [target.field]: target.value };
        return make({
          door,
          mutation: `wrong type for ${target.field}`,
          body: json(body),
          expect: "reject",
          mentions: new RegExp(target.field),
        });
      }),
    fc
      .record({ door, stream: fc.boolean(), role: notOfType.string, content: fc.oneof(fc.integer(), fc.boolean()) })
      .map(({ door, stream, role, content }) => {
        const body = baseRequest(door, stream);
        messagesOf(body)[1] = { role, content };
        return make({
          door,
          mutation: "wrong content types",
          body: json(body),
          expect: "reject",
          mentions: /messages\.1/,
        });
      }),
    base.map(({ door, stream }) =>
      make({
        door,
        mutation: "empty messages",
        body: json({ ...baseRequest(door, stream), messages: [] }),
        expect: "reject",
        mentions: /at least one message/,
      }),
    ),
    fc
      .record({ door, stream: fc.boolean(), type: fc.string({ minLength: 1, maxLength: 12 }) })
      .filter(
        ({ type }) =>
          ![
            "text",
            "image",
            "document",
            "thinking",
            "redacted_thinking",
            "tool_use",
            "tool_result",
            "image_url",
            "refusal",
          ].includes(type),
      )
      .map(({ door, stream, type }) => {
        const body = baseRequest(door, stream);
        messagesOf(body).push({ role: "user", content: [{ type, text: "x" }] });
        return make({
          door,
          mutation: "unknown block type",
          body: json(body),
          expect: "reject",
          mentions: /messages\.\d/,
        });
      }),
    base.map(({ door, stream }) => {
      const body = baseRequest(door, stream);
      // The assistant turn holding the tool call goes; its result stays, pointing at nothing.
      body.messages = messagesOf(body).filter((message) => message.role !== "assistant");
      return make({
        door,
        mutation: "tool result without its tool call",
        body: json(body),
        expect: "reject",
        mentions: /toolu_1|call_1/,
      });
    }),
    fc
      .record({ door, stream: fc.boolean(), depth: fc.integer({ min: 513, max: 20_000 }) })
      .map(({ door, stream, depth }) => {
        const body = { ...baseRequest(door, stream), metadata: { deep: "__DEEP__" } };
        return make({
          door,
          mutation: `nested ${depth} deep`,
          body: withNesting(body, depth),
          expect: "reject",
          mentions: /nests deeper/,
        });
      }),
    fc
      .record({ door, stream: fc.boolean(), depth: fc.integer({ min: 1, max: 400 }) })
      .map(({ door, stream, depth }) => {
        const body = baseRequest(door, stream);
        const assistant = messagesOf(body)[2] as Record<string, unknown>;
        if (door === "anthropic")
          (assistant.content as Array<Record<string, unknown>>)[0] = {
            type: "tool_use",
            id: "toolu_1",
            name: "Bash",
            input: { deep: "__DEEP__" },
          };
        else body.metadata = { deep: "__DEEP__" };
        return make({
          door,
          mutation: `nested ${depth} deep in a tool input`,
          body: withNesting(body, depth),
          expect: "either",
        });
      }),
    fc
      .record({
        door,
        stream: fc.boolean(),
        bytes: fc.constantFrom([0xff], [0xc3, 0x28], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
      })
      .map(({ door, stream, bytes }) => {
        const [head, tail] = JSON.stringify(baseRequest(door, stream)).split("run ls") as [string, string];
        const body = Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
        return make({ door, mutation: "invalid UTF-8", body, expect: "reject", mentions: /UTF-8/ });
      }),
    fc
      .record({ door, text: fc.string({ maxLength: 80 }) })
      .filter(({ text }) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      })
      .map(({ door, text }) =>
        make({ door, mutation: "not JSON", body: Buffer.from(text), expect: "reject", mentions: /JSON|empty/ }),
      ),
    fc
      .record({
        door,
        value: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.integer(), fc.string(), fc.constant(null)),
      })
      .map(({ door, value }) => make({ door, mutation: "not an object", body: json(value), expect: "reject" })),
    fc
      .record({ door, stream: fc.boolean(), extra: fc.integer({ min: 1, max: 64 * 1024 }), chunked: fc.boolean() })
      .map(({ door, stream, extra, chunked }) => {
        const body = baseRequest(door, stream);
        messagesOf(body).push({ role: "user", content: "x".repeat(BODY_LIMIT + extra) });
        return make({
          door,
          mutation: `over the body limit${chunked ? ", chunked" : ""}`,
          body: json(body),
          chunked,
          expect: "reject",
          status: 413,
          mentions: /exceeds the limit/,
        });
      }),
    fc
      .record({
        door,
        stream: fc.boolean(),
        field: fc.constantFrom(
          "temperature",
          "top_p",
          "stop",
          "tool_choice",
          "thinking",
          "metadata",
          "system",
          "tools",
          "stream",
          "zzz",
        ),
        value: fc.jsonValue({ maxDepth: 3 }),
      })
      .map(({ door, stream, field, value }) =>
        make({
          door,
          mutation: `${field} set to anything`,
          body: json({ ...baseRequest(door, stream), [field]: value }),
          expect: "either",
        }),
      ),
  );
}

describe("front doors under fuzzed input", () => {
  let upstream: ReplayUpstream;
  let backend: LlamaServerBackend;
  let server: Server;
  let pool: Pool;

  beforeAll(async () => {
    upstream = await startReplayUpstream(0);
    backend = new LlamaServerBackend({ name: "replay", baseUrl: upstream.url });
    const router = new ModelRouter([backend], {});
    await router.refresh(AbortSignal.timeout(10_000));
    server = createGatewayServer({
      backends: [backend],
      router,
      routing: await sessionRouting(router),
      recorder: new TurnRecorder(100),
      bodyLimitBytes: BODY_LIMIT,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 4 });
  });
  afterAll(async () => {
    await pool?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await backend?.close();
    await upstream?.close();
  });

  async function check(sample: FuzzCase): Promise<void> {
    const reachedBefore = upstream.completions;
    const body = sample.chunked
      ? Readable.from(
          (function* () {
            for (let offset = 0; offset < sample.body.length; offset += 64 * 1024)
              yield sample.body.subarray(offset, offset + 64 * 1024);
          })(),
        )
      : sample.body;
    const answer = await pool.request({ method: "POST", path: PATH[sample.door], headers: sample.headers, body });
    const text = await answer.body.text();
    const status = answer.statusCode;
    const where = `${sample.door} / ${sample.mutation}: ${status} ${text.slice(0, 300)}`;
    expect(status < 500, where).toBe(true);
    if (sample.expect === "reject") {
      expect(status >= 400, where).toBe(true);
      expect(upstream.completions, `${where} (reached the backend)`).toBe(reachedBefore);
    }
    if (sample.expect === "accept") expect(status, where).toBe(200);
    if (sample.status) expect(status, where).toBe(sample.status);
    if (status === 200) {
      if (sample.door === "anthropic" && text.startsWith("event:"))
        expect(checkAnthropicStream(text).violations, where).toEqual([]);
      return;
    }
    const error = (JSON.parse(text) as { type?: string; error: { type: string; message: string; code?: string } })
      .error;
    if (sample.door === "anthropic") expect((JSON.parse(text) as { type: string }).type, where).toBe("error");
    else expect(error.code, where).toBeDefined();
    expect(error.type, where).toMatch(sample.door === "anthropic" ? /_error$|^request_too_large$/ : /_error$/);
    if (status === 413) expect(sample.door === "anthropic" ? error.type : error.code, where).toBe("request_too_large");
    expect(error.message.length, where).toBeGreaterThan(10);
    if (sample.mentions) expect(error.message, where).toMatch(sample.mentions);
  }

  const randomSeed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  for (const [label, seed] of [
    ["fixed", FIXED_SEED],
    ["random", randomSeed],
  ] as const) {
    it(`${RUNS_PER_SEED} cases, ${label} seed ${seed} (replay: FUZZ_SEED=${seed})`, async () => {
      console.log(`front-door fuzz: ${label} seed ${seed}; replay with FUZZ_SEED=${seed}`);
      await fc.assert(fc.asyncProperty(fuzzCase(), check), {
        seed,
        numRuns: RUNS_PER_SEED,
        endOnFailure: true,
        // The counterexample's body can be megabytes: report the seed, the path and the failed check only.
        asyncReporter: async (details) => {
          if (!details.failed) return;
          const cause = String(details.errorInstance).slice(0, 2_000);
          throw new Error(`seed ${details.seed}, path ${details.counterexamplePath}: ${cause}`);
        },
      });
      // The server is still there and serving after everything it was sent.
      const after = await pool.request({
        method: "POST",
        path: PATH.anthropic,
        headers: { "content-type": "application/json" },
        body: json(baseRequest("anthropic", false)),
      });
      expect(after.statusCode).toBe(200);
      await after.body.text();
    }, 600_000);
  }
});
