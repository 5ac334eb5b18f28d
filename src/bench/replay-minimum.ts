import { LlamaServerBackend } from "../backends/llama-server/llama-server-backend.js";
import { describeLane } from "../sessions/lane.js";
import { replayedTurn } from "./recorded-door.js";
import type { FixtureRequest } from "./recorded-sessions.js";

export interface LaneMinimum {
  /** `session/lane`, e.g. `agent-session/subagent:ab4a…`. */
  lane: string;
  /** The prompt's length as the renderer's template and tokenizer make it. */
  tokens: number;
  /** Tokens of that prompt that are not a prefix of the same lane's previous prompt (a lane's first: all). */
  minimum: number;
}

/** One request's prompt as the renderer makes it, with its lane. */
export interface LanePrompt {
  /** `session/lane`, e.g. `agent-session/subagent:ab4a…`. */
  lane: string;
  /** The lane as Switchyard names it (session id and lane), which the turns of one lane share. */
  key: string;
  tokens: readonly unknown[];
}

/** How long one request's rendering and counting may take. */
const RENDER_TIMEOUT_MS = 60_000;

/**
 * Each request of a session as the server gets it, lane by lane (main agent, each subagent, side
 * requests), whichever door it was recorded at (Anthropic Messages, Chat Completions, Responses). Each
 * request is made append-only as Switchyard makes it, then rendered by the llama-server
 * at `rendererUrl` (its `/apply-template`, its template; for a family Switchyard renders itself, Switchyard's
 * rendering of that template, as count_tokens does) and counted by its `/tokenize`. A replay
 * straight to that server and one through a gateway in front of it are judged against the same numbers.
 */
export async function renderLanePrompts(
  requests: FixtureRequest[],
  rendererUrl: string,
  signal?: AbortSignal,
  maxTokens?: number,
): Promise<LanePrompt[]> {
  const backend = new LlamaServerBackend({ name: "render", baseUrl: rendererUrl });
  try {
    const out: LanePrompt[] = [];
    for (const request of requests) {
      const { canonical, identity } = replayedTurn(request, maxTokens);
      const timeout = AbortSignal.timeout(RENDER_TIMEOUT_MS);
      // The prompt as the server gets it (rendered by Switchyard for a family it renders), as count_tokens counts it.
      const tokens = await backend.promptTokens(canonical, "m", signal ? AbortSignal.any([signal, timeout]) : timeout);
      out.push({ lane: `${request.session}/${identity.name}`, key: describeLane(identity), tokens });
    }
    return out;
  } finally {
    await backend.close();
  }
}

/**
 * The least request `position` must prefill: the tokens of its prompt that are not a prefix of the last
 * prompt its lane was served (a lane's first: all). `served[i]` says whether request i was answered;
 * unset means it was. A turn that failed (its connection cut mid-prefill, a replica killed) promised the
 * server nothing, so the next turn of its lane is judged against the turn before it.
 */
export function laneMinimum(
  prompts: readonly LanePrompt[],
  position: number,
  served: readonly boolean[] = [],
): LaneMinimum {
  const prompt = prompts[position] as LanePrompt;
  let before: readonly unknown[] = [];
  for (let index = position - 1; index >= 0; index--) {
    if (prompts[index]?.key === prompt.key && served[index] !== false) {
      before = (prompts[index] as LanePrompt).tokens;
      break;
    }
  }
  let common = 0;
  while (common < before.length && common < prompt.tokens.length && before[common] === prompt.tokens[common]) common++;
  return { lane: prompt.lane, tokens: prompt.tokens.length, minimum: prompt.tokens.length - common };
}

/** The least each request of a session must prefill when every request is served (see laneMinimum). */
export async function laneMinimums(
  requests: FixtureRequest[],
  rendererUrl: string,
  signal?: AbortSignal,
): Promise<LaneMinimum[]> {
  const prompts = await renderLanePrompts(requests, rendererUrl, signal);
  return prompts.map((_, position) => laneMinimum(prompts, position));
}
