import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { BackendTimings, StopReason, Usage } from "../core/canonical.js";
import type { RateLimitInfo } from "../core/rate-limit.js";
import type { TurnFacts } from "../core/turn-facts.js";
import type { TurnCost } from "../cost/turn-cost.js";
import { formatRouting, type RoutingRecord } from "../routing/routing-record.js";
import type { LaneKind } from "../sessions/lane.js";
import type { CacheMiss } from "../sessions/lane-tracker.js";
import { FailureStreak } from "../util/failure-streak.js";
import type { EvalTag } from "./eval-tag.js";

/** One request through the gateway, as the dashboard, reports and tests see it. */
export interface TurnRecord {
  id: string;
  startedAt: string;
  protocol: "anthropic" | "openai";
  endpoint: "messages" | "count_tokens" | "chat_completions" | "responses";
  requestedModel: string;
  backend: string;
  backendModel: string;
  /** True when the backend runs on this machine (llama-server, Ollama, …), false for clouds; undefined when no backend was chosen. */
  backendLocal: boolean | undefined;
  routeReason: string;
  stream: boolean;
  sessionId: string | undefined;
  lane: string | undefined;
  laneKind: LaneKind | undefined;
  /** The llama-server slot the turn ran on. */
  slot: number | undefined;
  /** The slot was empty, and another lane's slot, sharing the prompt's head, was copied into it first. */
  prefixCopy?: TurnFacts["prefixCopy"];
  status: number;
  /** Milliseconds from request arrival to the first byte of the answer sent to the client. */
  ttftMs: number | undefined;
  durationMs: number;
  usage: Usage | undefined;
  /** Prompt tokens in all (prefilled + reused), and the split, as the backend reported them. */
  promptTokens: number | undefined;
  reusedTokens: number | undefined;
  prefilledTokens: number | undefined;
  outputTokens: number | undefined;
  /**
   * The previous turn's prompt length when this turn's prompt extends it (what the cache should hold);
   * less the per-request note that prompt ended with, if any, and then a floor (sessions/turn-note.ts).
   */
  expectedReuse: number | undefined;
  prefillTokensPerSecond: number | undefined;
  decodeTokensPerSecond: number | undefined;
  /** Set when fewer tokens were reused than expected, with the reason. */
  miss: CacheMiss | undefined;
  timings: BackendTimings | undefined;
  stopReason: StopReason | undefined;
  error: { code: string; message: string } | undefined;
  /** True when the client went away before the answer finished. */
  clientAborted: boolean;
  /** The routing decision: the rule that fired, why, sticky or new, the switch's cost, failovers. */
  routing?: RoutingRecord;
  /** What the turn cost in the cloud, or would have cost on the reference model. */
  cost?: TurnCost;
  /** The upstream's Retry-After and `x-ratelimit-*` headers, when it sent any (clouds). */
  rateLimit?: RateLimitInfo;
  /** The client's `max_tokens` lowered to what the backend's context left after the prompt. */
  maxTokensClamped?: { from: number; to: number };
  /**
   * The headers deadline a local generation was given (backends/prefill-deadline.ts); when it fired the
   * error is `prefill_timeout`, its message saying how the deadline was reached.
   */
  prefillDeadlineMs?: number;
  /** The `switchyard eval run` (and task) the request came from, from its `x-switchyard-eval-*` headers. */
  evalTag?: EvalTag;
  /** The agent that sent it, with its version ("Codex 0.171.0"), when its headers say (sessions/client-name.ts). */
  client?: string;
}

/**
 * Hears every record. `durable` is set for a completed turn whose answer's last event waits for the
 * record to be kept: a listener that keeps records (the turn store) returns the promise of that.
 */
export type TurnListener = (turn: TurnRecord, durable: boolean) => void | Promise<void>;

/**
 * Characters of lines appended in one write at most. At up to 3 UTF-8 bytes each that stays under the
 * 512 KiB Node writes a file in at once, and one `write` to a file opened for appending lands whole, so
 * another gateway appending to the same file never splits a line.
 */
const BATCH_CHARS = 128 * 1024;

/**
 * A bounded in-memory ring of recent turns, with listeners (log line, store, metrics), and an
 * append-only JSONL file when a path is given.
 */
export class TurnRecorder {
  private readonly turns: TurnRecord[] = [];
  private readonly listeners: TurnListener[] = [];
  /** Lines not written yet; those added while a write is under way go together in the next one. */
  private pending: string[] = [];
  private writing: Promise<void> | undefined;
  private readonly failures = new FailureStreak((message) => process.stderr.write(`switchyard: ${message}\n`));
  /** Records not written since writing last worked. */
  private lost = 0;

  constructor(
    private readonly capacity = 1000,
    readonly jsonlPath?: string,
    /** Appends text to the file (the test replaces it to see the writes). */
    private readonly appendText: (path: string, text: string) => Promise<void> = appendFile,
  ) {}

  /**
   * Hands the record to every listener; with `durable`, resolves once the listeners that keep records
   * have kept it (never rejects). The JSONL file is not waited for: the store is the durable place.
   */
  add(turn: TurnRecord, { durable = false }: { durable?: boolean } = {}): Promise<void> {
    this.turns.push(turn);
    if (this.turns.length > this.capacity) this.turns.shift();
    const keeping: Array<Promise<void>> = [];
    for (const listener of this.listeners) {
      const kept = listener(turn, durable);
      if (kept) keeping.push(kept);
    }
    const path = this.jsonlPath;
    if (path) {
      this.pending.push(`${JSON.stringify(turn)}\n`);
      this.writing ??= this.writePending(path);
    }
    return keeping.length === 0 ? Promise.resolve() : Promise.all(keeping).then(noop, noop);
  }

  /**
   * Writes the pending lines until none are left, one batch per write. One write per line (three file
   * operations each: open, write, close) fell behind a gateway under load, about 650 turns a second
   * here, and the lines waiting for it grew without bound.
   */
  private async writePending(path: string): Promise<void> {
    while (this.pending.length > 0) {
      // Whole lines, at least one.
      let count = 1;
      for (let size = (this.pending[0] as string).length; count < this.pending.length; count++) {
        size += (this.pending[count] as string).length;
        if (size > BATCH_CHARS) break;
      }
      const lines = this.pending.slice(0, count).join("");
      this.pending = this.pending.slice(count);
      // A failed write may have left part of a line (a full disk): the next record starts a line of its own.
      const text = this.failures.failing ? `\n${lines}` : lines;
      try {
        await this.append(path, text);
        this.failures.recovered(
          (_attempts, seconds) =>
            `writing ${path} again after ${seconds} s; ${this.lost} turn record(s) could not be written to it`,
        );
        this.lost = 0;
      } catch (error) {
        this.lost += count;
        this.failures.failed(
          `cannot write ${path}: ${(error as Error).message}; turn records are left out of it until it can be written (said again then)`,
        );
      }
    }
    this.writing = undefined;
  }

  /**
   * Appends lines, making the file's folder only when it is missing: a recursive mkdir on every turn
   * cost about 1.5 ms of CPU each (bench:overhead's profile, BENCH_PROFILE), taken from the next request.
   */
  private async append(path: string, text: string): Promise<void> {
    try {
      await this.appendText(path, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await mkdir(dirname(path), { recursive: true });
      await this.appendText(path, text);
    }
  }

  /** Resolves once every record so far is on disk (or failed to be written, which was said). */
  flush(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  onTurn(listener: TurnListener): void {
    this.listeners.push(listener);
  }

  /** Every turn still in the ring, oldest first (a view: do not modify). */
  all(): readonly TurnRecord[] {
    return this.turns;
  }

  recent(limit = 100): TurnRecord[] {
    return this.turns.slice(-limit);
  }
}

const noop = () => {};

/** One readable log line per turn. */
export function formatTurn(turn: TurnRecord): string {
  const usage = turn.usage;
  const tokens = usage
    ? ` prefilled=${usage.inputTokens} reused=${usage.cacheReadTokens} out=${usage.outputTokens}${usage.reasoningTokens ? ` reasoning=${usage.reasoningTokens}` : ""}`
    : "";
  const ttft = turn.ttftMs === undefined ? "" : ` ttft=${Math.round(turn.ttftMs)}ms`;
  const error = turn.error ? ` error=${turn.error.code}` : "";
  const copy = turn.prefixCopy ? ` (copied slot${turn.prefixCopy.fromSlot}: ${turn.prefixCopy.tokens} tokens)` : "";
  const lane = turn.lane ? ` ${turn.lane}${turn.slot === undefined ? "" : `@slot${turn.slot}`}${copy}` : "";
  const miss = turn.miss
    ? ` MISS(${turn.miss.reason}${turn.miss.divergence ? ` at ${turn.miss.divergence.path}` : ""}; expected ${turn.expectedReuse ?? "?"})`
    : "";
  const routing = turn.routing ? ` ${formatRouting(turn.routing)}` : "";
  const cost = turn.cost?.usd ?? turn.cost?.referenceUsd;
  const price = cost === undefined ? "" : ` ${turn.cost?.usd === undefined ? "ref " : ""}$${cost.toFixed(4)}`;
  return `${turn.endpoint} ${turn.requestedModel} → ${turn.backend}${lane} ${turn.status}${ttft} total=${Math.round(turn.durationMs)}ms${tokens}${miss}${error}${routing}${price}${turn.clientAborted ? " (client went away)" : ""}`;
}
