import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend, BackendKind } from "../../src/backends/backend.js";
import { backendKind } from "../../src/backends/registry/backend-registry.js";
import type { CanonicalEvent, CanonicalRequest } from "../../src/core/canonical.js";
import { MessageCollector } from "../../src/core/collect-message.js";
import { type ErrorKind, SwitchyardError } from "../../src/core/errors.js";
import { encodeAnthropicEvent } from "../../src/protocols/anthropic/anthropic-stream-encoder.js";
import { parseAnthropicRequest } from "../../src/protocols/anthropic/parse-anthropic-request.js";
import { checkAnthropicStream } from "../support/anthropic-sse-checker.js";
import { collectEvents, rejection } from "../support/iterate.js";
import { canonicalViolations } from "./canonical-sequence.js";

/**
 * One conformance suite for every backend adapter. A subject says how to start its server (the real
 * llama-server, or a loopback server replaying the project's documented wire data) and stages what the
 * upstream answers next; the suite checks the adapter's behaviour against its kind's `capabilities` in
 * src/backends/registry/. Adding an adapter is one call: `describeBackendConformance({...})`.
 */

/** What a rig can make its upstream do next. */
export type Scenario =
  | "text"
  | "thinking"
  | "tool-call"
  | "max-tokens"
  /** Answers that report reused prefix tokens (live: the same prompt twice). */
  | "cache-hit"
  /** Answers without any reuse figure (a vLLM/SGLang without the flag, a cloud that omits it). */
  | "cache-unreported"
  /** An HTTP error before the first byte. */
  | "http-error"
  /** The connection is cut after the first content. */
  | "cut"
  /** The stream starts, then the upstream keeps generating (to be aborted). */
  | "hold";

export interface Staging {
  /** Changes the check's request (a live server needs a real bad request for `http-error`). */
  request?: (request: CanonicalRequest) => CanonicalRequest;
  /** For `http-error`: the SwitchyardError kind the adapter must throw. */
  errorKind?: ErrorKind;
}

export interface ConformanceRig {
  backend: Backend;
  /** The model name the router would hand the backend. */
  model: string;
  /** Makes the upstream answer per `scenario` from now on; undefined when this rig cannot (the check is skipped). */
  stage(scenario: Scenario): Staging | undefined | Promise<Staging | undefined>;
  /** The counts come from the server's real tokenizer (live servers), so they grow with the prompt. */
  liveTokenizer?: boolean;
  /** The last body the upstream received, when the rig can see it (loopback servers). */
  lastUpstreamBody?(): unknown;
  /** Resolves once the upstream has stopped serving the last request, with whether it ran to its end. */
  upstreamFinished(): Promise<{ complete: boolean }>;
  close(): Promise<void>;
}

export interface ConformanceSubject {
  /** Shown in test names, e.g. `vLLM (loopback)`. */
  name: string;
  kind: BackendKind;
  start(): Promise<ConformanceRig>;
  /** Models `listModels` must return. */
  expectedModels: string[];
}

const TOOLS = [
  {
    name: "get_weather",
    description: "Current weather in a city",
    input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
  {
    name: "get_stock_price",
    description: "Latest price of a stock",
    input_schema: { type: "object", properties: { ticker: { type: "string" } }, required: ["ticker"] },
  },
];

const request = (body: Record<string, unknown> = {}): CanonicalRequest =>
  parseAnthropicRequest({
    model: "claude-sonnet-4-5",
    max_tokens: 256,
    stream: true,
    messages: [{ role: "user", content: "Say hello." }],
    ...body,
  });

const TOOL_RESULT_ID = "toolu_conformance_01";
const TOOL_RESULT_TEXT = "12 degrees and raining in Edinburgh";

function expectValidStream(events: CanonicalEvent[]): void {
  expect(canonicalViolations(events)).toEqual([]);
  // What a client sees: the Anthropic encoding of the same events obeys Anthropic's own rules.
  expect(checkAnthropicStream(events.map(encodeAnthropicEvent).join("")).violations).toEqual([]);
}

const done = (events: CanonicalEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`expected a done event, got ${JSON.stringify(last)}`);
  return last;
};

/** Registers the conformance tests for one adapter. */
export function describeBackendConformance(subject: ConformanceSubject): void {
  const capabilities = backendKind(subject.kind).capabilities;

  describe(`backend conformance: ${subject.name}`, () => {
    let rig: ConformanceRig;
    beforeAll(async () => {
      rig = await subject.start();
    });
    afterAll(async () => {
      await rig?.close();
    });

    const run = (canonical: CanonicalRequest, signal = new AbortController().signal) =>
      collectEvents(rig.backend.stream(canonical, { model: rig.model, signal }));

    /** Stages `scenario`, or returns undefined and lets the test pass as not applicable to this rig. */
    async function staged(scenario: Scenario, context: { skip: (note?: string) => void }) {
      const staging = await rig.stage(scenario);
      if (!staging) context.skip(`${subject.name} cannot stage "${scenario}"`);
      return staging ?? {};
    }

    it("streams text as a valid canonical event sequence ending in end_turn", async (context) => {
      const staging = await staged("text", context);
      const events = await run((staging.request ?? ((r) => r))(request()));
      expectValidStream(events);
      const text = events.flatMap((e) => (e.type === "block_delta" && e.delta.type === "text" ? [e.delta.text] : []));
      expect(text.join("").length).toBeGreaterThan(0);
      expect(done(events).stopReason.unified).toBe("end_turn");
    });

    it("answers a non-streaming request with the same content folded into one message", async (context) => {
      const staging = await staged("text", context);
      const events = await run((staging.request ?? ((r) => r))(request({ stream: false })));
      const collector = new MessageCollector();
      for (const event of events) collector.add(event);
      const message = collector.message;
      expect(message.error).toBeUndefined();
      expect(message.stopReason?.unified).toBe("end_turn");
      const texts = message.blocks.filter((block) => block.type === "text");
      expect(texts.length).toBeGreaterThan(0);
      expect(texts.map((block) => (block.type === "text" ? block.text : "")).join("")).toBe(
        events.flatMap((e) => (e.type === "block_delta" && e.delta.type === "text" ? [e.delta.text] : [])).join(""),
      );
    });

    it.skipIf(!capabilities.tools)(
      "sends tool definitions and streams a tool call with parsed input",
      async (context) => {
        const staging = await staged("tool-call", context);
        const canonical = (staging.request ?? ((r) => r))(request({ tools: TOOLS }));
        const names = canonical.tools.map((tool) => tool.name);
        const events = await run(canonical);
        expectValidStream(events);
        const body = JSON.stringify(rig.lastUpstreamBody?.() ?? {});
        if (rig.lastUpstreamBody) for (const name of names) expect(body).toContain(name);
        const collector = new MessageCollector();
        for (const event of events) collector.add(event);
        const calls = collector.message.blocks.filter((block) => block.type === "tool_call");
        expect(calls.length).toBeGreaterThan(0);
        const ids = new Set<string>();
        for (const call of calls) {
          if (call.type !== "tool_call") continue;
          expect(names).toContain(call.name);
          expect(call.id.length).toBeGreaterThan(0);
          ids.add(call.id);
          const input = JSON.parse(call.inputJson) as unknown;
          expect(typeof input === "object" && input !== null && !Array.isArray(input)).toBe(true);
        }
        expect(ids.size).toBe(calls.length);
        expect(done(events).stopReason.unified).toBe("tool_use");
      },
    );

    it.skipIf(!capabilities.tools)("sends tool results back and gets an answer", async (context) => {
      const staging = await staged("text", context);
      const history = request({
        tools: TOOLS,
        messages: [
          { role: "user", content: "Weather in Edinburgh?" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: TOOL_RESULT_ID, name: "get_weather", input: { city: "Edinburgh" } }],
          },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: TOOL_RESULT_ID, content: TOOL_RESULT_TEXT }],
          },
        ],
      });
      const events = await run((staging.request ?? ((r) => r))(history));
      expectValidStream(events);
      expect(done(events).stopReason.unified).toBe("end_turn");
      if (rig.lastUpstreamBody) {
        const body = JSON.stringify(rig.lastUpstreamBody());
        expect(body).toContain(TOOL_RESULT_ID);
        expect(body).toContain(TOOL_RESULT_TEXT);
      }
    });

    it.skipIf(!capabilities.thinking)("streams thinking as a thinking block before the text", async (context) => {
      const staging = await staged("thinking", context);
      const events = await run(
        (staging.request ?? ((r) => r))(
          request({ thinking: { type: "enabled", budget_tokens: 1024 }, max_tokens: 2048 }),
        ),
      );
      expectValidStream(events);
      const collector = new MessageCollector();
      for (const event of events) collector.add(event);
      const kinds = collector.message.blocks.map((block) => block.type);
      expect(kinds[0]).toBe("thinking");
      expect(kinds).toContain("text");
      const thinking = collector.message.blocks[0];
      expect(thinking?.type === "thinking" && thinking.thinking.length > 0).toBe(true);
    });

    it("stops at max_tokens with stop reason max_tokens", async (context) => {
      const staging = await staged("max-tokens", context);
      const events = await run((staging.request ?? ((r) => r))(request({ max_tokens: 3 })));
      expectValidStream(events);
      expect(done(events).stopReason.unified).toBe("max_tokens");
    });

    it("reports usage, and reused prefix tokens when the backend reports them", async (context) => {
      const staging = await staged("cache-hit", context);
      const canonical = (staging.request ?? ((r) => r))(request());
      await run(canonical);
      const usage = done(await run(canonical)).usage;
      expect(usage.unreported ?? []).not.toContain("cacheReadTokens");
      expect(usage.cacheReadTokens).toBeGreaterThan(0);
      expect(usage.unreported ?? []).not.toContain("outputTokens");
      expect(usage.outputTokens).toBeGreaterThan(0);
    });

    it("marks reuse as unreported, not 0, when the backend does not report it", async (context) => {
      if (capabilities.cacheReporting === "always") context.skip(`${subject.name} always reports reuse`);
      const staging = await staged("cache-unreported", context);
      const usage = done(await run((staging.request ?? ((r) => r))(request()))).usage;
      expect(usage.unreported).toContain("cacheReadTokens");
    });

    it(`counts tokens ${capabilities.exactCounts ? "exactly" : "as a labelled estimate"}`, async () => {
      const canonical = request({ tools: TOOLS });
      const signal = AbortSignal.timeout(30_000);
      const count = await rig.backend.countTokens(canonical, { model: rig.model, signal });
      expect(count.exact).toBe(capabilities.exactCounts);
      expect(count.tokens).toBeGreaterThan(0);
      if (capabilities.exactCounts && rig.liveTokenizer) {
        // An exact count grows with the conversation: one more user turn adds tokens.
        const longer = request({ tools: TOOLS, messages: [{ role: "user", content: "Say hello. ".repeat(20) }] });
        const more = await rig.backend.countTokens(longer, { model: rig.model, signal });
        expect(more.tokens).toBeGreaterThan(count.tokens);
      }
    });

    it("throws a SwitchyardError of the right kind for an HTTP error before the first byte", async (context) => {
      const staging = await staged("http-error", context);
      const error = await rejection(run((staging.request ?? ((r) => r))(request())));
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as SwitchyardError).kind).toBe(staging.errorKind);
    });

    it("ends a stream cut mid-way with a final error event carrying the usage so far", async (context) => {
      const staging = await staged("cut", context);
      const events = await run((staging.request ?? ((r) => r))(request()));
      expect(canonicalViolations(events)).toEqual([]);
      const last = events.at(-1);
      expect(last?.type).toBe("error");
      if (last?.type !== "error") return;
      expect(last.error).toBeInstanceOf(SwitchyardError);
      expect(last.usage).toBeDefined();
    });

    it("stops the upstream when the caller aborts mid-stream", async (context) => {
      const staging = await staged("hold", context);
      const controller = new AbortController();
      const seen: CanonicalEvent[] = [];
      const iteration = (async () => {
        for await (const event of rig.backend.stream((staging.request ?? ((r) => r))(request({ max_tokens: 8000 })), {
          model: rig.model,
          signal: controller.signal,
        })) {
          seen.push(event);
          if (event.type === "block_delta") controller.abort();
        }
      })();
      await iteration.catch(() => undefined);
      expect(seen.some((event) => event.type === "block_delta")).toBe(true);
      expect(seen.some((event) => event.type === "done")).toBe(false);
      expect(await rig.upstreamFinished()).toEqual({ complete: false });
    });

    it("lists the backend's models and reports healthy", async () => {
      expect(await rig.backend.listModels(AbortSignal.timeout(10_000))).toEqual(subject.expectedModels);
      expect((await rig.backend.health(AbortSignal.timeout(10_000))).ok).toBe(true);
      expect(rig.backend.kind).toBe(subject.kind);
    });
  });
}
