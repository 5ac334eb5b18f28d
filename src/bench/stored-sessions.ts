import type { TurnRecord } from "../telemetry/turn-record.js";
import { fillerWords } from "./prompt-tokens.js";
import type { FixtureRequest } from "./recorded-sessions.js";

/**
 * Turn records keep what a turn cost (its lane, prompt and output tokens, whether it extended the lane's
 * previous prompt, when it started and how long it took), not the request it sent. So a stored session
 * is replayed by its shape: each recorded lane becomes a conversation of filler text whose prompts grow
 * as the recorded ones did, a turn that did not extend its lane's previous prompt starts its lane over,
 * and each request waits, under `--pace recorded`, as long as the user and the agent's tools did.
 * The words are common English words most BPE vocabularies hold as one token each, so the sizes are
 * close, not exact; the minimum is then measured on the synthetic prompts like any other replay.
 */

/** Tokens a chat template adds around each message, and around the whole prompt (ChatML-like). */
const TOKENS_PER_MESSAGE = 5;
const TOKENS_PER_PROMPT = 10;
/** "Replay turn N:" */
const OPENING_TOKENS = 6;
/** The one tool main and subagent turns carry, as Qwen3.5's template renders it (measured: 22,637 − 22,487 + 110). */
const TOOL_TOKENS = 260;

/**
 * Main and subagent turns carry a tool, as an agent's do: a gateway files a tool-less request in the
 * side lane. One small definition, not the agent's: the store does not keep them.
 */
const REPLAY_TOOL = {
  name: "read_file",
  description: "Reads a file of the project.",
  input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

interface LaneState {
  messages: Array<{ role: "user" | "assistant"; content: string }>;
  /** Estimated prompt tokens of `messages` as rendered. */
  tokens: number;
}

/** The turns of a stored session a replay can send: answered Messages turns with a prompt size. */
export function replayableTurns(turns: readonly TurnRecord[]): TurnRecord[] {
  return turns.filter(
    (turn) => turn.endpoint === "messages" && turn.status === 200 && (turn.promptTokens ?? 0) > 0 && !turn.error,
  );
}

/**
 * The idle time before each turn: from the end of every earlier turn (the agent waited for all of them)
 * to its start. Overlapping turns (a subagent started while the main lane decoded) wait 0.
 */
export function recordedPauses(turns: readonly TurnRecord[]): number[] {
  let busyUntil: number | undefined;
  return turns.map((turn) => {
    const start = Date.parse(turn.startedAt);
    const pause = busyUntil === undefined ? 0 : Math.max(0, start - busyUntil);
    busyUntil = Math.max(busyUntil ?? start, start + turn.durationMs);
    return pause;
  });
}

/** One stored session as requests of the recorded shape (see the comment at the top of this file). */
export function storedSessionRequests(turns: readonly TurnRecord[], options: { seed?: number } = {}): FixtureRequest[] {
  const replayable = replayableTurns(turns);
  const pauses = recordedPauses(replayable);
  const lanes = new Map<string, LaneState>();
  return replayable.map((turn, index) => {
    const session = turn.sessionId ?? "stored-session";
    const laneName = turn.lane ?? "main";
    let lane = lanes.get(laneName);
    // A turn that did not extend the lane's previous prompt rewrote it (or the lane is new): start over.
    const side = laneName === "side" || turn.laneKind === "side";
    if (!lane || turn.expectedReuse === undefined) {
      lane = { messages: [], tokens: TOKENS_PER_PROMPT + (side ? 0 : TOOL_TOKENS) };
      lanes.set(laneName, lane);
    }
    // A lane's first message differs from every other lane's at its first words.
    const agentId = /^subagent:(.+)$/.exec(laneName)?.[1];
    const opening = lane.messages.length === 0 ? `Replay turn ${index + 1}:` : "";
    const userWords = Math.max(
      1,
      (turn.promptTokens ?? 0) - lane.tokens - TOKENS_PER_MESSAGE - (opening ? OPENING_TOKENS : 0),
    );
    const user = `${opening}${fillerWords(userWords, (options.seed ?? 1) * 7919 + index)}`.trim();
    const messages = [...lane.messages, { role: "user" as const, content: user }];
    const outputTokens = Math.max(1, turn.outputTokens ?? 1);
    // The next prompt carries this turn's answer as the recorded one did: filler of the recorded length.
    lane.messages = [
      ...messages,
      { role: "assistant", content: fillerWords(outputTokens, (options.seed ?? 1) * 104_729 + index).trim() },
    ];
    lane.tokens += userWords + outputTokens + 2 * TOKENS_PER_MESSAGE + (opening ? OPENING_TOKENS : 0);
    return {
      session,
      file: `${String(index + 1).padStart(3, "0")}-${laneName}`,
      method: "POST",
      url: "/v1/messages",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        // A session of its own (not the recorded one, which a gateway may still remember), lanes as recorded.
        "x-session-id": `${session}/replay`,
        ...(agentId ? { "x-claude-code-agent-id": agentId } : {}),
      },
      body: {
        model: turn.requestedModel,
        max_tokens: outputTokens,
        messages,
        ...(side ? {} : { tools: [REPLAY_TOOL] }),
      },
      pauseMs: pauses[index],
      recordedPromptTokens: turn.promptTokens,
    };
  });
}
