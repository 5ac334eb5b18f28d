/**
 * bench:overhead's requests, one per round: the recorded Claude Code request or a one-message one, made
 * new each round, in the forms each path takes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaServerBackend } from "../../src/backends/llama-server/llama-server-backend.js";
import { toLlamaServerBody } from "../../src/backends/llama-server/to-llama-server-body.js";
import { FIXTURE_ROOT } from "../../src/bench/recorded-sessions.js";
import { parseAnthropicRequest } from "../../src/protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "../../src/sessions/normalize-request.js";
import { CLAUDE_CODE_ROUTER_MODEL } from "./claude-code-router.js";

/** The largest recorded Claude Code request (~92 KB, 78 KB of it tool definitions). */
const FIXTURE = join(FIXTURE_ROOT, "agent-session", "013.json");

/**
 * `claude-code`: the recorded request; `one-message`: one short user message, no tools or system;
 * `long-session`: the recorded request after 300 earlier text messages of ~1 KB (~400 KB, as a session
 * some hours long sends), replay upstream only (more than the bench engine's context).
 */
export type RequestSize = "claude-code" | "one-message" | "long-session";
export const REQUEST_SIZES: readonly RequestSize[] = ["claude-code", "one-message", "long-session"];
/** Run unless BENCH_SIZES says otherwise. */
export const DEFAULT_REQUEST_SIZES: readonly RequestSize[] = ["claude-code", "one-message"];

/** The earlier messages of `long-session`, the same every round (as a session's history is). */
export const EARLIER_MESSAGES = Array.from({ length: 300 }, (_, index) => ({
  role: index % 2 ? "assistant" : "user",
  content: [{ type: "text", text: `earlier message ${index}: ${"lorem ipsum dolor sit amet, ".repeat(36)}` }],
}));

/** One round's request in each path's form. */
export interface RoundBodies {
  /** As the client sends it (Switchyard, a baseline checkout). */
  anthropic: string;
  /** The same, asking for claude-code-router's model id (Claude Code is pointed at it so). */
  claudeCodeRouter: string;
  /** The /v1/chat/completions body Switchyard sends upstream for it (direct, bare relay). */
  direct: string;
}

const fixture = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> }).body;

/**
 * The request ending in `marker`: like a real next turn, every round ends in a message no earlier one
 * sent while the rest repeats, so nothing that remembers what it saw can answer from memory alone.
 */
function roundRequest(recorded: Record<string, unknown>, size: RequestSize, marker: string): Record<string, unknown> {
  if (size === "one-message") {
    return {
      model: recorded.model,
      max_tokens: 64,
      stream: true,
      // Thinking as Claude Code asks for it, so the first token is reasoning on every path.
      thinking: recorded.thinking,
      messages: [{ role: "user", content: `hi (${marker})` }],
    };
  }
  const request = structuredClone(recorded) as { messages: Array<{ content: Array<{ content?: unknown }> }> };
  if (size === "long-session")
    request.messages = [...(EARLIER_MESSAGES as typeof request.messages), ...request.messages];
  const result = request.messages.at(-1)?.content.at(-1);
  if (!result || typeof result.content !== "string")
    throw new Error("the recorded request no longer ends in a tool result");
  result.content = `${result.content}\n(${marker})`;
  return request;
}

/** Each round's bodies of one size for the upstream at `url` (the direct body with its probed compat). */
export async function roundBodies(url: string, size: RequestSize): Promise<(marker: string) => RoundBodies> {
  const backend = new LlamaServerBackend({ name: "direct", baseUrl: url });
  const compat = await backend.compat().finally(() => backend.close());
  const recorded = fixture();
  return (marker) => {
    const anthropic = roundRequest(recorded, size, marker);
    const canonical = normalizeForCache(parseAnthropicRequest(anthropic));
    return {
      anthropic: JSON.stringify(anthropic),
      claudeCodeRouter: JSON.stringify({ ...anthropic, model: CLAUDE_CODE_ROUTER_MODEL }),
      direct: JSON.stringify(toLlamaServerBody(canonical, "local", compat)),
    };
  };
}
