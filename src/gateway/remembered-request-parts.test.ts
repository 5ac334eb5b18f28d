import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LLAMA_SERVER_COMPAT } from "../backends/llama-server/llama-server-compat.js";
import { toLlamaServerBody } from "../backends/llama-server/to-llama-server-body.js";
import { DEFAULT_OLLAMA_COMPAT } from "../backends/ollama/ollama-compat.js";
import { toOllamaChatBody } from "../backends/ollama/to-ollama-chat.js";
import { OPENAI_SERVER_COMPAT } from "../backends/openai-compatible/openai-server-compat.js";
import { toOpenAICompatibleBody } from "../backends/openai-compatible/to-openai-compatible-body.js";
import type { CanonicalRequest } from "../core/canonical.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { tokenUpperBound } from "../routing/fit-check.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import { jsonBytes } from "../util/json-bytes.js";
import { RepeatedJsonMembers } from "../util/repeated-json-members.js";
import { REPEATED_PARTS } from "./gateway-server.js";

const parseJson = (bytes: Buffer): unknown => JSON.parse(bytes.toString("utf8"));

const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures", "claude-code", "claude-code-2.1.197");

/** Every recorded Claude Code session's requests, in the order they were sent. */
const sessions = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) =>
    readdirSync(join(FIXTURES, entry.name))
      .filter((name) => /^\d+\.json$/.test(name))
      .sort()
      .map((name) => JSON.parse(readFileSync(join(FIXTURES, entry.name, name), "utf8")) as { body: unknown })
      .filter((recorded) => recorded.body && typeof recorded.body === "object" && "messages" in recorded.body)
      .map((recorded) => Buffer.from(JSON.stringify(recorded.body))),
  );

const compat = { ...DEFAULT_LLAMA_SERVER_COMPAT, midConversationSystem: "as-user" as const };

/** What every backend would send for the request, and what the fit check measures. */
const upstreamOf = (request: CanonicalRequest) => ({
  llamaServer: jsonBytes(toLlamaServerBody(request, "local", compat)).toString(),
  llamaServerAgain: jsonBytes(toLlamaServerBody(request, "local", compat)).toString(),
  vllm: JSON.stringify(toOpenAICompatibleBody(request, "m", OPENAI_SERVER_COMPAT.vllm)),
  ollama: JSON.stringify(toOllamaChatBody(request, "m", DEFAULT_OLLAMA_COMPAT, { numCtx: 8192, keepAlive: "60m" })),
  bound: tokenUpperBound(request),
});

describe("requests parsed with remembered parts", () => {
  it("found the recorded sessions", () => {
    expect(sessions.flat().length).toBeGreaterThan(10);
  });

  it("give every backend the same upstream bytes as a plain parse, turn after turn", () => {
    const repeated = new RepeatedJsonMembers(REPEATED_PARTS);
    let remembered = 0;
    for (const session of sessions) {
      for (const bytes of [...session, ...session]) {
        const plain = normalizeForCache(parseAnthropicRequest(parseJson(bytes)));
        const raw = repeated.parse(bytes, parseJson) as { tools?: unknown; messages: unknown[] };
        if (Object.isFrozen(raw.tools) || raw.messages.some((message) => Object.isFrozen(message))) remembered++;
        const request = normalizeForCache(parseAnthropicRequest(raw));
        expect(request).toEqual(plain);
        expect(upstreamOf(request)).toEqual(upstreamOf(plain));
      }
    }
    // The second pass over each session, and each session's later turns, came from memory.
    expect(remembered).toBeGreaterThan(sessions.flat().length);
  });
});
