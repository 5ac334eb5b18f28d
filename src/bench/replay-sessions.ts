import { setTimeout as sleep } from "node:timers/promises";
import type { BenchTarget } from "./bench-target.js";
import { isReplayedTurn, replayedTurn, replayRequest } from "./recorded-door.js";
import { type FixtureRequest, replayHeaders } from "./recorded-sessions.js";
import { laneMinimum, renderLanePrompts } from "./replay-minimum.js";
import { requestMetrics } from "./request-metrics.js";
import { sendMeasuredRequest } from "./send-measured-request.js";

export interface ReplayTurn {
  /** `session/file`. */
  request: string;
  lane: string;
  status: number;
  /** The prompt as the renderer counts it, and the least of it that had to be prefilled. */
  renderedTokens: number | undefined;
  minimum: number | undefined;
  /** A stored session's recorded prompt tokens for this turn (its replay is sized to match). */
  recordedPromptTokens?: number;
  /** What the target reported: tokens prefilled and reused; reuse % of the prompt. */
  prefilled: number | undefined;
  reused: number | undefined;
  reusePercent: number | undefined;
  ttftMs: number | undefined;
  decodeTokensPerSecond: number | undefined;
  /** Why fewer tokens were reused than could have been: the gateway's miss reason, else the shortfall. */
  miss: string | undefined;
  error: string | undefined;
}

export interface ReplayTotals {
  turns: number;
  served: number;
  prefilled: number;
  minimum: number;
  reused: number;
  /** Σ prefilled ÷ Σ minimum over served turns with a known minimum: 1 is ideal. */
  efficiency: number | undefined;
  reusePercent: number | undefined;
  ttftMsTotal: number;
  wallMs: number;
  /** Under `--pace recorded`: the recorded idle time waited in all (already scaled), part of `wallMs`. */
  pausedMs: number;
}

export interface ReplayReport {
  target: string;
  kind: BenchTarget["kind"];
  /** Where the minimums were rendered (a llama-server), when one was found. */
  renderer: string | undefined;
  turns: ReplayTurn[];
  /** Turns whose reuse is below 80 % while more could have been reused, by name. */
  brokenTurns: string[];
  efficiency: number | undefined;
  totals: ReplayTotals;
}

export interface ReplayOptions {
  /** Sessions replayed at once (each session's requests stay in order). */
  concurrency: number;
  /** The llama-server whose template and tokenizer count the minimum. */
  rendererUrl?: string;
  requestTimeoutMs?: number;
  /**
   * Caps each answer (the recorded requests ask for up to 32,000 tokens). The next prompt carries the
   * recorded history, not this answer, so the cap changes only how long each turn decodes.
   */
  maxTokens?: number;
  /**
   * `--pace recorded`: before each request, wait its recorded idle time (`pauseMs`) times this scale
   * (0.5 = twice as fast as the user was). Unset: back to back (`--pace max`).
   */
  paceScale?: number;
  signal?: AbortSignal;
  onTurn?: (turn: ReplayTurn) => void;
}

/** Tokens prefilled beyond the minimum before a turn counts as a miss (template tail, generation prompt). */
const MISS_SLACK_TOKENS = 8;

interface GatewayTurn {
  sessionId?: string;
  endpoint?: string;
  miss?: { reason?: string; divergence?: { path?: string } };
}

async function gatewayMisses(target: BenchTarget, signal?: AbortSignal): Promise<GatewayTurn[]> {
  const timeout = AbortSignal.timeout(10_000);
  const response = await fetch(`${target.baseUrl}/v1/switchyard/turns?limit=5000`, {
    headers: target.headers,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  return response.ok ? ((await response.json()) as { turns: GatewayTurn[] }).turns : [];
}

export async function replayTurn(
  target: BenchTarget,
  request: FixtureRequest,
  lane: { lane: string; tokens: number; minimum: number } | undefined,
  options: ReplayOptions,
): Promise<ReplayTurn> {
  // Straight to a server, the recorded `?beta=true` is Claude Code's; llama-server's route has no query.
  const path = target.kind === "switchyard" ? request.url : request.url.replace(/\?.*$/, "");
  const { door, body } = replayRequest(request, options.maxTokens);
  let sent: Awaited<ReturnType<typeof sendMeasuredRequest>>;
  try {
    sent = await sendMeasuredRequest({ baseUrl: target.baseUrl, wire: door.wire, headers: target.headers }, body, {
      path,
      headers: replayHeaders(request),
      signal: options.signal,
      timeoutMs: options.requestTimeoutMs,
    });
  } catch (error) {
    // A connection that failed (a gateway replica that died, a balancer that dropped it) is a failed
    // turn, as an agent would see it; the session goes on with its next request. An abort stops the run.
    options.signal?.throwIfAborted();
    return failedTurn(request, lane, (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
  }
  const { status, measurement } = sent;
  const metrics = requestMetrics(measurement);
  const served = status === 200 && !measurement.error;
  const prefilled =
    served && metrics.promptTokens !== undefined ? metrics.promptTokens - (metrics.reusedTokens ?? 0) : undefined;
  const shortfall =
    prefilled !== undefined && lane && prefilled > lane.minimum + MISS_SLACK_TOKENS
      ? `prefilled ${prefilled - lane.minimum} tokens beyond the minimum (${lane.minimum})`
      : undefined;
  return {
    request: `${request.session}/${request.file}`,
    lane: lane?.lane ?? request.session,
    status,
    renderedTokens: lane?.tokens,
    minimum: lane?.minimum,
    ...(request.recordedPromptTokens === undefined ? {} : { recordedPromptTokens: request.recordedPromptTokens }),
    prefilled,
    reused: served ? metrics.reusedTokens : undefined,
    reusePercent: served ? metrics.reusePercent : undefined,
    ttftMs: metrics.ttftMs,
    decodeTokensPerSecond: metrics.decodeTokensPerSecond,
    miss: shortfall,
    error: measurement.error,
  };
}

function failedTurn(
  request: FixtureRequest,
  lane: { lane: string; tokens: number; minimum: number } | undefined,
  error: string,
): ReplayTurn {
  return {
    request: `${request.session}/${request.file}`,
    lane: lane?.lane ?? request.session,
    status: 0,
    renderedTokens: lane?.tokens,
    minimum: lane?.minimum,
    prefilled: undefined,
    reused: undefined,
    reusePercent: undefined,
    ttftMs: undefined,
    decodeTokensPerSecond: undefined,
    miss: undefined,
    error: `connection failed: ${error}`,
  };
}

/**
 * A turn whose reuse is below 80 % although its lane's previous prompt held more of it: a lane's first
 * turn, with nothing to reuse, is not a broken cache.
 */
function brokeCache(turn: ReplayTurn): boolean {
  if (turn.reusePercent === undefined || turn.reusePercent >= 80) return false;
  if (turn.renderedTokens === undefined || turn.minimum === undefined) return turn.miss !== undefined;
  const reusable = turn.renderedTokens - turn.minimum;
  return reusable > 0 && (turn.reused ?? 0) < reusable - MISS_SLACK_TOKENS;
}

/** Totals over the served turns. */
export function replayTotals(turns: ReplayTurn[], wallMs: number, pausedMs = 0): ReplayTotals {
  const served = turns.filter((turn) => turn.status === 200 && !turn.error);
  const sum = (pick: (turn: ReplayTurn) => number | undefined) =>
    served.reduce((total, turn) => total + (pick(turn) ?? 0), 0);
  const judged = served.filter((turn) => turn.minimum !== undefined && turn.prefilled !== undefined);
  const prefilled = judged.reduce((total, turn) => total + (turn.prefilled as number), 0);
  const minimum = judged.reduce((total, turn) => total + (turn.minimum as number), 0);
  const reused = sum((turn) => turn.reused);
  const prompt = reused + sum((turn) => turn.prefilled);
  return {
    turns: turns.length,
    served: served.length,
    prefilled: sum((turn) => turn.prefilled),
    minimum,
    reused,
    efficiency: judged.length > 0 && minimum > 0 ? prefilled / minimum : undefined,
    reusePercent: served.every((turn) => turn.reused !== undefined) && prompt > 0 ? (reused / prompt) * 100 : undefined,
    ttftMsTotal: sum((turn) => turn.ttftMs),
    wallMs,
    pausedMs,
  };
}

/**
 * Replays recorded sessions against a target, `concurrency` sessions at a time, each session's
 * requests in their recorded order, as fast as the target answers (or, with `paceScale`, after each
 * request's recorded idle time, scaled). Per turn: the minimum, what was
 * prefilled and reused, time to first token, decode speed and, for a miss, why.
 */
export async function replaySessions(
  target: BenchTarget,
  sessions: FixtureRequest[][],
  options: ReplayOptions,
): Promise<ReplayReport> {
  const started = performance.now();
  const posts = sessions.map((requests) => requests.filter(isReplayedTurn));
  const prompts = options.rendererUrl
    ? await Promise.all(
        posts.map((requests) =>
          renderLanePrompts(requests, options.rendererUrl as string, options.signal, options.maxTokens),
        ),
      )
    : posts.map(() => undefined);
  const results: ReplayTurn[][] = posts.map(() => []);
  let next = 0;
  let pausedMs = 0;
  // Each request in the order it was sent, with its turn once answered: the gateway records turns in this order.
  const sent: SentTurn[] = [];
  const worker = async () => {
    while (next < posts.length) {
      const index = next++;
      for (const [position, request] of (posts[index] as FixtureRequest[]).entries()) {
        options.signal?.throwIfAborted();
        const pause = options.paceScale === undefined ? 0 : (request.pauseMs ?? 0) * options.paceScale;
        if (pause > 0) {
          pausedMs += pause;
          await sleep(pause, undefined, { signal: options.signal });
        }
        const done = results[index] as ReplayTurn[];
        const served = done.map((turn) => turn.status === 200 && !turn.error);
        const lane = prompts[index] && laneMinimum(prompts[index], position, served);
        const entry: SentTurn = { request };
        sent.push(entry);
        const turn = await replayTurn(target, request, lane, options);
        entry.turn = turn;
        done.push(turn);
        options.onTurn?.(turn);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, posts.length)) }, worker));
  const turns = results.flat();
  if (target.kind === "switchyard") await explainFromGateway(target, sent, options);
  const totals = replayTotals(turns, performance.now() - started, pausedMs);
  return {
    target: target.name,
    kind: target.kind,
    renderer: options.rendererUrl,
    turns,
    brokenTurns: turns.filter(brokeCache).map((turn) => turn.request),
    efficiency: totals.efficiency,
    totals,
  };
}

/** A request in the order it was sent, and its turn once answered. */
interface SentTurn {
  request: FixtureRequest;
  turn?: ReplayTurn;
}

/** The door and session a gateway records a replayed request under; undefined for one it refuses. */
function gatewayKey(request: FixtureRequest, maxTokens: number | undefined): string | undefined {
  try {
    const { door, identity } = replayedTurn(request, maxTokens);
    return `${door.endpoint} ${identity.sessionId}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether a gateway's turn record is of the door and session `key` names (gatewayKey). A gateway on another
 * machine qualifies an id unique on one machine only (Goose's, a fingerprint) with this one's address.
 */
export function recordedUnder(turn: { endpoint?: string; sessionId?: string }, key: string): boolean {
  const named = `${turn.endpoint} ${turn.sessionId}`;
  return named === key || named.startsWith(`${key}@`);
}

/**
 * A gateway knows why it missed. Its turn records of each door and session (as the gateway names it, from
 * the same request), newest last, are matched in order to the turns replayed with that door and session,
 * in the order they were sent: recordings that share a session id (Goose's are a date and a counter) are
 * one session to the gateway too.
 */
async function explainFromGateway(
  target: BenchTarget,
  sent: readonly SentTurn[],
  options: Pick<ReplayOptions, "signal" | "maxTokens">,
): Promise<void> {
  const records = await gatewayMisses(target, options.signal);
  const groups = new Map<string, ReplayTurn[]>();
  for (const { request, turn } of sent) {
    const key = gatewayKey(request, options.maxTokens);
    if (key !== undefined && turn) groups.set(key, [...(groups.get(key) ?? []), turn]);
  }
  for (const [key, turns] of groups) {
    const mine = records.filter((turn) => recordedUnder(turn, key)).slice(-turns.length);
    if (mine.length !== turns.length) continue;
    for (const [position, turn] of turns.entries()) {
      const miss = mine[position]?.miss;
      if (miss?.reason)
        turn.miss = `${miss.reason}${miss.divergence?.path ? ` at ${miss.divergence.path}` : ""}${turn.miss ? `; ${turn.miss}` : ""}`;
    }
  }
}
