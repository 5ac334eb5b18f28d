import { LlamaServerBackend } from "../backends/llama-server/llama-server-backend.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { describeLane } from "../sessions/lane.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import { identifySession } from "../sessions/session-identity.js";
import type { FixtureRequest } from "./recorded-sessions.js";

export interface LaneMinimum {
  /** `session/lane`, e.g. `agent-session/subagent:ab4a…`. */
  lane: string;
  /** The prompt's length as the renderer's template and tokenizer make it. */
  tokens: number;
  /** Tokens of that prompt that are not a prefix of the same lane's previous prompt (a lane's first: all). */
  minimum: number;
}

/** How long one request's rendering and counting may take. */
const RENDER_TIMEOUT_MS = 60_000;

/**
 * The least each request of a session must prefill, lane by lane (main agent, each subagent, side
 * requests). Each request is made append-only as Switchyard makes it, then rendered by the llama-server
 * at `rendererUrl` (its `/apply-template`, its template; for a family Switchyard renders itself, Switchyard's
 * rendering of that template, as count_tokens does) and counted by its `/tokenize`. A replay
 * straight to that server and one through a gateway in front of it are judged against the same numbers.
 */
export async function laneMinimums(
  requests: FixtureRequest[],
  rendererUrl: string,
  signal?: AbortSignal,
): Promise<LaneMinimum[]> {
  const backend = new LlamaServerBackend({ name: "render", baseUrl: rendererUrl });
  try {
    const previous = new Map<string, unknown[]>();
    const out: LaneMinimum[] = [];
    for (const request of requests) {
      const canonical = normalizeForCache(parseAnthropicRequest(request.body, request.headers));
      const identity = identifySession(canonical);
      const lane = describeLane(identity);
      const timeout = AbortSignal.timeout(RENDER_TIMEOUT_MS);
      // The prompt as the server gets it (rendered by Switchyard for a family it renders), as count_tokens counts it.
      const tokens = await backend.promptTokens(canonical, "m", signal ? AbortSignal.any([signal, timeout]) : timeout);
      const before = previous.get(lane) ?? [];
      let common = 0;
      while (common < before.length && common < tokens.length && before[common] === tokens[common]) common++;
      previous.set(lane, tokens);
      out.push({
        lane: `${request.session}/${identity.name}`,
        tokens: tokens.length,
        minimum: tokens.length - common,
      });
    }
    return out;
  } finally {
    await backend.close();
  }
}
