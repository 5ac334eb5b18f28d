import { randomUUID } from "node:crypto";
import type { CanonicalRequest, Usage, UsageField } from "../core/canonical.js";
import { type CollectedMessage, MessageCollector } from "../core/collect-message.js";
import type { SwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";
import type { Route } from "../routing/model-router.js";
import type { RoutingRecord } from "../routing/routing-record.js";
import { clientName } from "../sessions/client-name.js";
import type { LaneTracker } from "../sessions/lane-tracker.js";
import { identifySession, type SessionIdentity } from "../sessions/session-identity.js";
import { evalTagFromHeaders } from "../telemetry/eval-tag.js";
import type { TurnRecord, TurnRecorder } from "../telemetry/turn-record.js";

/**
 * How long a completed answer's last event waits for the store to commit its turn. A healthy store
 * commits in a millisecond or two; one that is slow or unreachable must not hold clients (the record
 * stays queued and is retried), so past this the answer ends and the turn is durable a little later.
 */
const DURABLE_WAIT_MS = 2_000;

/**
 * Everything known about one request as it goes through the gateway; `finish` turns it into a turn
 * record, judging the lane's cache reuse on the way. Shared by every front door.
 */
export class TurnContext {
  readonly collector = new MessageCollector();
  /** What the backend that answered did with the turn, from its `message_start`. */
  facts: TurnFacts | undefined;
  /** The client's `max_tokens` lowered to what the backend's context left after the prompt. */
  maxTokensClamped: { from: number; to: number } | undefined;
  route: Route | undefined;
  requestedModel = "";
  stream = false;
  ttftMs: number | undefined;
  identity: SessionIdentity | undefined;
  request: CanonicalRequest | undefined;
  /** The routing decision, when session routing decided this turn. */
  routing: RoutingRecord | undefined;
  /** Sees the finished record (and the answer) before it is stored: adds cost, learns from the turn. */
  observer: ((record: TurnRecord, message: CollectedMessage) => Promise<void> | undefined) | undefined;
  private finished = false;

  constructor(
    private readonly recorder: TurnRecorder,
    private readonly lanes: LaneTracker,
    private readonly protocol: TurnRecord["protocol"],
    private readonly endpoint: TurnRecord["endpoint"],
    readonly abort: AbortController,
    /** The client socket's address: a session id unique on one machine only is qualified by it. */
    private readonly clientAddress: string | undefined,
    /**
     * When the gateway's server received the request (performance.now()), before auth and routing, so
     * the times the turn record reports cover everything the gateway did with it.
     */
    readonly started = performance.now(),
  ) {}

  /** Records who the request belongs to; returns it, the lane backends use. */
  identify(request: CanonicalRequest): SessionIdentity {
    this.request = request;
    this.requestedModel = request.model;
    this.stream = request.stream;
    this.identity = identifySession(request, this.clientAddress);
    return this.identity;
  }

  /**
   * Ends the gateway's time to first byte: called once the answer's first bytes were handed to the
   * client's socket, not when the backend's first event arrived, so the overhead a turn record reports
   * (`ttftMs` − the backend's `prompt_ms`) includes encoding and writing them.
   */
  markFirstByte(): void {
    this.ttftMs ??= performance.now() - this.started;
  }

  /**
   * Records the turn. The record (cache analysis, log line, JSONL) is built after the current I/O turn,
   * so the last bytes of the answer reach the client first.
   */
  finish(status: number, error?: SwitchyardError): void {
    if (this.finished) return;
    this.finished = true;
    const durationMs = performance.now() - this.started;
    setImmediate(() => void this.record(status, durationMs, error));
  }

  /**
   * Records a completed turn now and waits (at most DURABLE_WAIT_MS) until the store has committed it.
   * The caller writes the answer's last event after this, so a turn the client saw complete is in the
   * store even if this process is killed the next instant. Nothing before the last event waits.
   */
  async finishDurably(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const kept = this.record(200, performance.now() - this.started, undefined, true);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DURABLE_WAIT_MS);
    });
    await Promise.race([kept, bound]);
    clearTimeout(timer);
  }

  private record(status: number, durationMs: number, error?: SwitchyardError, durable = false): Promise<void> {
    const message = this.collector.message;
    // A backend that failed before its first event reports its facts on the error.
    const facts = this.facts ?? error?.facts ?? {};
    const usage = message.id ? message.usage : undefined;
    const completed = usage !== undefined && status === 200 && !error && !this.abort.signal.aborted;
    const analysis =
      completed && this.identity && this.request && this.route
        ? this.lanes.analyze(this.identity, this.request, this.route.backend.name, usage, facts)
        : undefined;
    const timings = message.timings;
    const evalTag = this.request ? evalTagFromHeaders(this.request.client.headers) : undefined;
    const client = this.request ? clientName(this.request.client.headers) : undefined;
    const record: TurnRecord = {
      id: randomUUID(),
      // The wall-clock start, written once the answer is out rather than on the request's way in.
      startedAt: new Date(performance.timeOrigin + this.started).toISOString(),
      protocol: this.protocol,
      endpoint: this.endpoint,
      requestedModel: this.requestedModel,
      backend: this.route?.backend.name ?? "none",
      backendModel: this.route?.model ?? "",
      backendLocal: this.route?.backend.local,
      routeReason: this.route?.reason ?? "",
      stream: this.stream,
      sessionId: this.identity?.sessionId,
      lane: this.identity?.name,
      laneKind: this.identity?.kind,
      slot: facts.slot,
      ...(facts.prefixCopy ? { prefixCopy: facts.prefixCopy } : {}),
      status,
      ttftMs: this.ttftMs,
      durationMs,
      usage,
      promptTokens:
        usage?.promptTokens ??
        (known(usage, "inputTokens") === undefined
          ? undefined
          : (usage?.inputTokens ?? 0) + (usage?.cacheReadTokens ?? 0)),
      reusedTokens: known(usage, "cacheReadTokens"),
      prefilledTokens: known(usage, "inputTokens"),
      outputTokens: known(usage, "outputTokens"),
      expectedReuse: analysis?.expectedReuse,
      prefillTokensPerSecond: timings?.promptPerSecond,
      decodeTokensPerSecond: timings?.predictedPerSecond,
      miss: analysis?.miss,
      timings,
      stopReason: message.stopReason,
      error: error ? { code: error.code, message: error.message } : undefined,
      clientAborted: this.abort.signal.aborted,
      ...rateLimitOf(facts, error),
      ...maxTokensClampedOf(this.maxTokensClamped, facts),
      ...(facts.prefillDeadlineMs ? { prefillDeadlineMs: facts.prefillDeadlineMs } : {}),
      routing: this.routing,
      ...(evalTag ? { evalTag } : {}),
      ...(client ? { client } : {}),
    };
    // A completed turn's end also waits for what it changed of its session's shared routing state.
    const shared = this.observer?.(record, message);
    const kept = this.recorder.add(record, { durable });
    return shared ? Promise.all([kept, shared]).then(() => {}) : kept;
  }
}

/** The rate-limit headers of the answer, else of the error; nothing when the upstream sent none. */
function rateLimitOf(facts: TurnFacts, error: SwitchyardError | undefined): Pick<TurnRecord, "rateLimit"> {
  const rateLimit = facts.rateLimit ?? error?.rateLimit;
  return rateLimit ? { rateLimit } : {};
}

/**
 * `max_tokens` as the client sent it and as it went out: lowered by the gateway to what the context
 * left, then perhaps again by the backend to the room its server reported.
 */
function maxTokensClampedOf(
  gateway: { from: number; to: number } | undefined,
  facts: TurnFacts,
): Pick<TurnRecord, "maxTokensClamped"> {
  const backend = facts.maxTokensClamped;
  if (!backend) return gateway ? { maxTokensClamped: gateway } : {};
  return { maxTokensClamped: { from: gateway?.from ?? backend.from, to: backend.to } };
}

/** A usage number, or undefined when the backend did not report it. */
function known(usage: Usage | undefined, field: UsageField): number | undefined {
  return usage && !usage.unreported?.includes(field) ? usage[field] : undefined;
}
