import type { IncomingMessage, ServerResponse } from "node:http";
import { type CanonicalEvent, type CanonicalRequest, emptyUsage } from "../core/canonical.js";
import type { CollectedMessage } from "../core/collect-message.js";
import { type SwitchyardError, toSwitchyardError } from "../core/errors.js";
import type { SessionRouter } from "../routing/session-router.js";
import type { LaneTracker } from "../sessions/lane-tracker.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import type { TurnRecord, TurnRecorder } from "../telemetry/turn-record.js";
import type { RepeatedJsonMembers } from "../util/repeated-json-members.js";
import { sendJson } from "../util/send-json.js";
import { readJsonBody } from "./http-body.js";
import { openGeneration } from "./open-generation.js";
import { keepStreamAlive, STREAM_HEADERS } from "./stream-keep-alive.js";
import { corkedStreamWriter } from "./stream-writer.js";
import { TurnContext } from "./turn-context.js";

export interface RouteContext {
  recorder: TurnRecorder;
  lanes: LaneTracker;
  bodyLimitBytes: number;
  /** Remembers request members that come back byte for byte (tool definitions), so they are parsed once. */
  repeatedMembers?: RepeatedJsonMembers;
  /** Set when body logging is on (`telemetry.logBodies`): gets each request body and answer. */
  logBody?: (direction: "request" | "response", body: unknown) => void;
  /** Session routing (escalation, fit, fallback chains): plans every route, generation and count_tokens alike. */
  routing: SessionRouter;
  /** A stream silent this long gets its headers if not sent, then an SSE comment (0: never). */
  streamKeepAliveMs: number;
}

/** What a front door (Anthropic Messages, OpenAI Chat Completions, OpenAI Responses) brings to the shared request path. */
export interface FrontDoor {
  protocol: TurnRecord["protocol"];
  endpoint: TurnRecord["endpoint"];
  parse(raw: unknown, headers: IncomingMessage["headers"]): CanonicalRequest;
  /** Turns canonical events into this protocol's SSE text; one encoder per response. */
  streamEncoder(request: CanonicalRequest): StreamEncoding;
  /** The whole answer as this protocol's body; `request` is the parsed request it answers. */
  messageBody(message: CollectedMessage, request: CanonicalRequest): unknown;
  sendError(response: ServerResponse, error: SwitchyardError): void;
}

/** One streamed answer's encoder. */
export interface StreamEncoding {
  encode(event: CanonicalEvent): string;
  /**
   * What a silence in the stream gets (stream-keep-alive.ts), when a comment is not enough: a protocol
   * whose clients time out on silence between events, comments or not (Codex, on the Responses API).
   */
  keepAlive?(): string;
}

/** An AbortController that fires when the client goes away before the answer is finished. */
export function clientGone(request: IncomingMessage, response: ServerResponse): AbortController {
  const controller = new AbortController();
  const abort = () => {
    if (!response.writableFinished)
      controller.abort(toSwitchyardError(Object.assign(new Error("client disconnected"), { name: "AbortError" })));
  };
  response.on("close", abort);
  request.on("aborted", abort);
  return controller;
}

/**
 * The turn a request at a door begins: its record, the client's address (for its session), and an abort
 * when the client goes away.
 */
export function turnFor(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  protocol: TurnRecord["protocol"],
  endpoint: TurnRecord["endpoint"],
  receivedAt: number | undefined,
): TurnContext {
  return new TurnContext(
    context.recorder,
    context.lanes,
    protocol,
    endpoint,
    clientGone(request, response),
    request.socket.remoteAddress,
    receivedAt,
  );
}

/**
 * The request path every front door shares: parse, normalize for an append-only prompt, identify the
 * lane, route, read the first event before committing to a status (down the fallback chain until a
 * backend yields one), then stream or collect. Failures before the first byte are real HTTP errors in
 * the door's shape; after it, a final error event.
 */
export async function serveGeneration(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  door: FrontDoor,
  receivedAt?: number,
): Promise<void> {
  const turn = turnFor(request, response, context, door.protocol, door.endpoint, receivedAt);
  const collector = turn.collector;
  let canonical: CanonicalRequest | undefined;
  let encoding: StreamEncoding | undefined;
  let events: AsyncIterator<CanonicalEvent>;
  let first: IteratorResult<CanonicalEvent>;
  /** Stops the stream's keep-alive comments (stream-keep-alive.ts); started once the request is read. */
  let stopKeepAlive = () => {};
  try {
    const raw = await readJsonBody(request, context.bodyLimitBytes, context.repeatedMembers);
    context.logBody?.("request", raw);
    canonical = normalizeForCache(door.parse(raw, request.headers));
    const identity = turn.identify(canonical);
    if (turn.stream) {
      encoding = door.streamEncoder(canonical);
      stopKeepAlive = keepStreamAlive(response, context.streamKeepAliveMs, encoding.keepAlive?.bind(encoding));
    }
    ({ events, first } = await openGeneration(context, canonical, turn, identity));
  } catch (thrown) {
    stopKeepAlive();
    const error = toSwitchyardError(thrown);
    if (!response.destroyed) {
      if (!response.headersSent) door.sendError(response, error);
      // The stream's headers went out while the first event was awaited: the failure is its error event.
      else if (canonical)
        response.end((encoding ?? door.streamEncoder(canonical)).encode({ type: "error", error, usage: emptyUsage() }));
    }
    turn.finish(error.status, error);
    return;
  }

  if (!turn.stream) {
    let failure: SwitchyardError | undefined;
    try {
      for (let item = first; !item.done; item = await events.next()) {
        collector.add(item.value);
        if (item.value.type === "error") failure = item.value.error;
      }
    } catch (thrown) {
      failure = toSwitchyardError(thrown);
    }
    if (failure) {
      if (!response.destroyed) door.sendError(response, failure);
      turn.finish(failure.status, failure);
      return;
    }
    // The answer goes out once its turn is in the store (or the wait's bound passed): the record is built
    // then, so its time to first byte is taken before, and leaves that wait out.
    turn.markFirstByte();
    await turn.finishDurably();
    const body = door.messageBody(collector.message, canonical);
    if (!response.destroyed) sendJson(response, 200, body);
    context.logBody?.("response", body);
    turn.finish(200);
    return;
  }

  const stream = encoding ?? door.streamEncoder(canonical);
  const encode = stream.encode.bind(stream);
  if (!response.headersSent) response.writeHead(200, STREAM_HEADERS);
  let failure: SwitchyardError | undefined;
  /** The encoded `done` event: the answer's end, written once the turn is in the store. */
  let end: string | undefined;
  const writer = corkedStreamWriter(response, () => turn.markFirstByte());
  try {
    for (let item = first; !item.done; item = await events.next()) {
      const event = item.value;
      if (event.type === "error") failure = event.error;
      if (response.destroyed || event.type === "done") {
        collector.add(event);
        // The answer's end waits for the turn's commit, below.
        if (event.type === "done" && !response.destroyed) end = encode(event);
        continue;
      }
      const pending = writer.write(encode(event));
      // Kept for the record and the log once handed to the writer: the client's bytes come first.
      collector.add(event);
      if (pending) await pending;
    }
  } catch (thrown) {
    // Backends encode failures as events once started; this is a safety net that keeps the stream valid.
    failure = toSwitchyardError(thrown);
    if (!response.destroyed) writer.write(encode({ type: "error", error: failure, usage: collector.message.usage }));
  }
  // What the writer holds goes out first (and the first byte is stamped) before the record is built.
  writer.flush();
  stopKeepAlive();
  if (end !== undefined) {
    // Everything before the end has streamed; the end waits for the turn's commit (a group commit with
    // the turns finishing at the same moment), so a client that saw the turn complete finds it stored.
    if (!failure && !response.destroyed) await turn.finishDurably();
    if (!response.destroyed) response.write(end);
  }
  response.end();
  context.logBody?.("response", door.messageBody(collector.message, canonical));
  turn.finish(200, failure);
}
