import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import type { CanonicalRequest } from "../../core/canonical.js";
import { familyById } from "../../families/model-families.js";
import { parseAnthropicRequest } from "../../protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../../sessions/normalize-request.js";
import { DEFAULT_LLAMA_SERVER_COMPAT, type LlamaServerCompat } from "../llama-server/llama-server-compat.js";
import { toLlamaServerBody } from "../llama-server/to-llama-server-body.js";
import { OPENAI_SERVER_COMPAT } from "../openai-compatible/openai-server-compat.js";
import { toOpenAICompatibleBody } from "../openai-compatible/to-openai-compatible-body.js";

/**
 * The Chat Completions body each server kind is sent for a few representative requests, pinned: the
 * snapshot was written by the encoder before it was split into one standard body plus each server's own
 * fields, and the bodies must not change. Keys are compared sorted (their order means nothing to a server).
 */

/** Real Claude Code 2.1.197 traffic (see test/fixtures/claude-code/README.md). */
const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/claude-code/claude-code-2.1.197");
const recorded = (name: string): CanonicalRequest => {
  const { headers, body } = JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as {
    headers: Record<string, string>;
    body: unknown;
  };
  return normalizeForCache(parseAnthropicRequest(body, headers));
};

const PNG = { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } as const;
const tools = [
  { name: "Bash", description: "Run a command", inputSchema: { type: "object", properties: {} } },
  { name: "Read", description: "", inputSchema: { type: "object" } },
];

/** Small requests, pinned whole; each exercises a part of the encoder. */
const SMALL: Record<string, CanonicalRequest> = {
  plain: canonicalRequest(),
  sampling: canonicalRequest({
    stopSequences: ["END"],
    temperature: 0.2,
    topP: 0.95,
    topK: 20,
    responseFormat: { type: "json_schema", schema: { type: "object" } },
  }),
  "tools, thinking": canonicalRequest({
    tools,
    toolChoice: { type: "tool", name: "Read", parallel: false },
    thinking: { mode: "enabled" },
  }),
  "history: reasoning, tool calls, mid-conversation system, images": canonicalRequest({
    system: [{ type: "text", text: "You are terse." }],
    thinking: { mode: "adaptive" },
    tools,
    toolChoice: { type: "auto", parallel: true },
    messages: [
      {
        role: "user",
        parts: [
          { type: "text", text: "What is in the picture?" },
          { type: "image", source: PNG },
        ],
      },
      {
        role: "assistant",
        parts: [
          { type: "thinking", text: "Look at it first.", signature: "sig" },
          { type: "text", text: "Reading." },
          { type: "tool_call", id: "call_1", name: "Read", input: { path: "a.png" } },
        ],
      },
      {
        role: "user",
        parts: [
          {
            type: "tool_result",
            toolCallId: "call_1",
            isError: false,
            content: [
              { type: "text", text: "the file" },
              { type: "image", source: PNG },
            ],
          },
          { type: "text", text: "and?" },
        ],
      },
      { role: "assistant", parts: [{ type: "text", text: "A cat." }] },
      { role: "system", parts: [{ type: "text", text: "Be brief." }] },
      { role: "user", parts: [{ type: "text", text: "Again." }] },
    ],
  }),
};

/** Recorded requests, pinned by digest (their tools alone are tens of kilobytes). */
const RECORDED: Record<string, CanonicalRequest> = {
  "basic-session/002 (title)": recorded("basic-session/002.json"),
  "basic-session/004 (tool turn)": recorded("basic-session/004.json"),
  "agent-session/013": recorded("agent-session/013.json"),
};

const qwen35: LlamaServerCompat = {
  ...DEFAULT_LLAMA_SERVER_COMPAT,
  midConversationSystem: "as-user",
  alternatingRoles: true,
  vision: true,
  history: familyById("qwen3.5")?.history ?? DEFAULT_LLAMA_SERVER_COMPAT.history,
  templateKwargs: { preserve_thinking: true },
};

/** The body each server kind is sent, as the server reads it. */
const SERVERS: Record<string, (request: CanonicalRequest) => Record<string, unknown>> = {
  "llama-server (defaults)": (request) => toLlamaServerBody(request, "local", DEFAULT_LLAMA_SERVER_COMPAT),
  "llama-server (Qwen3.5: native vision, alternating roles, embedded reasoning)": (request) =>
    toLlamaServerBody(request, "local", qwen35),
  vllm: (request) =>
    toOpenAICompatibleBody(request, "Qwen/Qwen3-8B", {
      ...OPENAI_SERVER_COMPAT.vllm,
      templateKwargs: { preserve_thinking: true },
    }),
  sglang: (request) => toOpenAICompatibleBody(request, "m", OPENAI_SERVER_COMPAT.sglang),
  "openai-compatible": (request) => toOpenAICompatibleBody(request, "gpt", OPENAI_SERVER_COMPAT["openai-compatible"]),
};

/** The body as the server parses it, with every object's keys sorted. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
  );
}
const wire = (body: Record<string, unknown>) => sorted(JSON.parse(JSON.stringify(body)));
const digest = (body: Record<string, unknown>) =>
  createHash("sha256")
    .update(JSON.stringify(wire(body)))
    .digest("hex")
    .slice(0, 16);

describe("Chat Completions bodies per server kind", () => {
  for (const [server, bodyOf] of Object.entries(SERVERS)) {
    it(`${server}: small requests`, () => {
      expect(
        Object.fromEntries(Object.entries(SMALL).map(([name, request]) => [name, wire(bodyOf(request))])),
      ).toMatchSnapshot();
    });
    it(`${server}: recorded Claude Code requests`, () => {
      expect(
        Object.fromEntries(Object.entries(RECORDED).map(([name, request]) => [name, digest(bodyOf(request))])),
      ).toMatchSnapshot();
    });
  }
});
