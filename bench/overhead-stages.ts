/**
 * npm run bench:overhead-stages — where Switchyard's CPU time goes for one ~90 KB Claude Code request,
 * stage by stage, in this process (no network): each stage runs many times on the same input and its
 * median and p90 are printed. It explains bench:overhead's figures; the plain-path rows show what the
 * body and upstream stages cost before they were written to avoid one large string, and the
 * "remembered" rows what they cost on the next turns of a session, whose tool definitions (78 KB of
 * this request) come back byte for byte (each run's request ends in a new tool result, as a turn does).
 * A hot loop runs faster than the gateway does between requests; the gateway's own figures come from
 * bench:overhead. For the families whose prompt Switchyard renders itself (docs/design/switchyard-renders.md),
 * one row each renders this request with the family's stock template from the llama.cpp source (fetched
 * into the cache once, as the tests do).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readChatCompletionsStream } from "../src/backends/chat-completions/read-chat-completions-stream.js";
import type { ChatMessage } from "../src/backends/chat-completions/to-chat-messages.js";
import { probeSystemPlacement } from "../src/backends/llama-server/llama-server-backend.js";
import { DEFAULT_LLAMA_SERVER_COMPAT } from "../src/backends/llama-server/llama-server-compat.js";
import { promptRenderingFor } from "../src/backends/llama-server/prompt-rendering.js";
import { toCompletionBody } from "../src/backends/llama-server/to-completion-body.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { emptyUsage } from "../src/core/canonical.js";
import { MessageCollector } from "../src/core/collect-message.js";
import { ensureLlamaSource } from "../src/engine/llama-source.js";
import { MODEL_FAMILIES } from "../src/families/model-families.js";
import { REPEATED_PARTS } from "../src/gateway/gateway-server.js";
import { encodeAnthropicEvent } from "../src/protocols/anthropic/anthropic-stream-encoder.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { LaneTracker } from "../src/sessions/lane-tracker.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import { identifySession } from "../src/sessions/session-identity.js";
import { SessionTable } from "../src/sessions/session-table.js";
import { jsonBytes } from "../src/util/json-bytes.js";
import { RepeatedJsonMembers } from "../src/util/repeated-json-members.js";
import { median, percentile, printTable, writeResults } from "./bench-support.js";
import { EARLIER_MESSAGES } from "./support/overhead-requests.js";

const parseJson = (bytes: Buffer): unknown => JSON.parse(bytes.toString("utf8"));

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const root = join(import.meta.dirname, "..");
const fixture = JSON.parse(
  readFileSync(
    join(root, "test", "fixtures", "claude-code", "claude-code-2.1.197", "agent-session", "013.json"),
    "utf8",
  ),
) as { body: Record<string, unknown>; headers: Record<string, string> };
const requestBytes = Buffer.from(JSON.stringify(fixture.body));
// A stream recorded from the real llama-server (src/backends/chat-completions/fixtures/README.md).
const frames = readFileSync(
  join(root, "src", "backends", "chat-completions", "fixtures", "llama-server-thinking.sse"),
  "utf8",
)
  .split("\n\n")
  .filter((frame) => frame.trim() !== "")
  .map((frame) => Buffer.from(`${frame}\n\n`));

/** The stream as llama-server sends it: one chunk per event. */
async function* upstreamChunks(): AsyncGenerator<Uint8Array> {
  yield* frames;
}
const compat = { ...DEFAULT_LLAMA_SERVER_COMPAT, midConversationSystem: "native" as const };

const raw = parseJson(requestBytes);
const parsed = parseAnthropicRequest(raw, fixture.headers);
const canonical = normalizeForCache(parsed);
const upstream = toLlamaServerBody(canonical, "local", compat);
const tracker = new LaneTracker(new SessionTable());
const lane = identifySession(canonical);
// Two separately parsed copies, alternated, as consecutive turns of a lane are.
const copies = [canonical, normalizeForCache(parseAnthropicRequest(parseJson(requestBytes), fixture.headers))];
let turn = 0;
// The next turns: the same request ending in a new tool result each time, through one remembering parser.
const repeated = new RepeatedJsonMembers(REPEATED_PARTS);
const nextTurns = Array.from({ length: 64 }, (_, index) => {
  const next = structuredClone(fixture.body) as { messages: Array<{ content: Array<{ content?: string }> }> };
  const result = next.messages.at(-1)?.content.at(-1) as { content?: string };
  result.content = `${result.content}\n(turn ${index})`;
  return Buffer.from(JSON.stringify(next));
});
let next = 0;
// A long session's next turns (bench:overhead's long-session request), ending in a new message each time.
const longTurns = nextTurns.map((turnBytes) => {
  const body = JSON.parse(turnBytes.toString("utf8")) as { messages: unknown[] };
  body.messages = [...EARLIER_MESSAGES, ...body.messages];
  return Buffer.from(JSON.stringify(body));
});
const longRepeated = new RepeatedJsonMembers(REPEATED_PARTS);
let nextLong = 0;
repeated.parse(requestBytes, parseJson);
const remembered = repeated.parse(nextTurns[0] as Buffer, parseJson);
const rememberedCanonical = normalizeForCache(parseAnthropicRequest(remembered, fixture.headers));
const rememberedUpstream = toLlamaServerBody(rememberedCanonical, "local", compat);
const usage = { ...emptyUsage(), inputTokens: 10, cacheReadTokens: 20_000, outputTokens: 30 };

async function relayStream(): Promise<number> {
  const collector = new MessageCollector();
  let bytes = 0;
  for await (const event of readChatCompletionsStream(upstreamChunks(), { id: "msg", model: "m", backendName: "b" })) {
    collector.add(event);
    bytes += encodeAnthropicEvent(event).length;
  }
  return bytes;
}

const stages: Array<[string, () => unknown]> = [
  ["request body: bytes to value (JSON.parse)", () => parseJson(requestBytes)],
  ["  plain path: JSON.parse(bytes.toString())", () => JSON.parse(requestBytes.toString("utf8"))],
  [
    "  remembered: next turn, tools and system not parsed again (RepeatedJsonMembers)",
    () => repeated.parse(nextTurns[next++ % nextTurns.length] as Buffer, parseJson),
  ],
  [
    `  plain path, a long session (${((longTurns[0] as Buffer).length / 1024).toFixed(0)} KB, 317 messages)`,
    () => JSON.parse((longTurns[nextLong++ % longTurns.length] as Buffer).toString("utf8")),
  ],
  [
    "  remembered: that long session's next turn",
    () => longRepeated.parse(longTurns[nextLong++ % longTurns.length] as Buffer, parseJson),
  ],
  [
    "  remembered, the long session's next turn from its bytes to its upstream bytes",
    () => {
      const raw = longRepeated.parse(longTurns[nextLong++ % longTurns.length] as Buffer, parseJson);
      return jsonBytes(
        toLlamaServerBody(normalizeForCache(parseAnthropicRequest(raw, fixture.headers)), "local", compat),
      );
    },
  ],
  ["validate + convert (zod, parseAnthropicRequest)", () => parseAnthropicRequest(raw, fixture.headers)],
  ["  remembered: tools checked and converted before", () => parseAnthropicRequest(remembered, fixture.headers)],
  ["normalizeForCache", () => normalizeForCache(parsed)],
  ["session identity", () => identifySession(canonical)],
  ["toLlamaServerBody", () => toLlamaServerBody(canonical, "local", compat)],
  ["upstream body: value to bytes (jsonBytes)", () => jsonBytes(upstream)],
  ["  plain path: Buffer.from(JSON.stringify(body))", () => Buffer.from(JSON.stringify(upstream))],
  ["  remembered: the tools' bytes written before", () => jsonBytes(rememberedUpstream)],
  [`whole answer (${frames.length} upstream events): SSE in, canonical, Anthropic SSE out`, relayStream],
  [
    "turn record: lane cache analysis (before the answer's last event)",
    () => tracker.analyze(lane, copies[turn++ % 2] as typeof canonical, "b", usage, {}),
  ],
];

/** Per rendered family: its stock template, rendered as the backend renders this request's chat body. */
async function renderStages(): Promise<Array<[string, () => unknown]>> {
  const templates = join((await ensureLlamaSource(() => {})).directory, "models", "templates");
  const stages: Array<[string, () => unknown]> = [];
  for (const family of MODEL_FAMILIES.filter((entry) => entry.render)) {
    const file = Object.keys(family.templates)[0] as string;
    const chat_template = readFileSync(join(templates, file), "utf8");
    const rendering = await promptRenderingFor(family, { chat_template }, async () => []);
    if (!rendering || typeof rendering === "string") throw new Error(`${family.id}: ${rendering ?? "no rendering"}`);
    // Where a mid-conversation system message goes, found by the backend's own probe, on the renderer.
    const placement = await probeSystemPlacement(async (messages, kwargs) => {
      try {
        return rendering.renderer.render({
          messages: messages as ChatMessage[],
          tools: [],
          addGenerationPrompt: true,
          kwargs,
        });
      } catch {
        return undefined;
      }
    });
    const chatBody = toLlamaServerBody(canonical, "local", { ...compat, ...placement, history: family.history });
    stages.push([`render the prompt: ${family.id} (${file})`, () => toCompletionBody(chatBody, rendering.renderer)]);
  }
  return stages;
}
stages.push(...(await renderStages()));

async function time(run: () => unknown): Promise<number[]> {
  for (let index = 0; index < 30; index++) await run();
  const samples: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

const rows: Array<{ stage: string; medianMs: number; p90Ms: number }> = [];
for (const [stage, run] of stages) {
  const samples = await time(run);
  rows.push({ stage, medianMs: median(samples), p90Ms: percentile(samples, 0.9) });
}
console.log(
  `bench:overhead-stages — ${RUNS} runs per stage, ${(requestBytes.length / 1024).toFixed(1)} KB request, ${(jsonBytes(upstream).length / 1024).toFixed(1)} KB upstream body`,
);
printTable(
  ["stage", "median ms", "p90 ms"],
  rows.map((row) => [row.stage, row.medianMs, row.p90Ms]),
);
writeResults("overhead-stages", { at: new Date().toISOString(), runs: RUNS, requestBytes: requestBytes.length, rows });
