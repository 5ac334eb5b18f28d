import type { IncomingMessage, ServerResponse } from "node:http";
import type { CanonicalEvent } from "../core/canonical.js";
import { SwitchyardError, toSwitchyardError } from "../core/errors.js";
import { anthropicErrorBody } from "../protocols/anthropic/anthropic-errors.js";
import { anthropicMessageBody } from "../protocols/anthropic/anthropic-response.js";
import { encodeAnthropicEvent } from "../protocols/anthropic/anthropic-stream-encoder.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicRequest,
} from "../protocols/anthropic/parse-anthropic-request.js";
import type { LaneTracker } from "../sessions/lane-tracker.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import type { TurnRecorder } from "../telemetry/turn-record.js";
import { readJsonBody, sendJson, writeChunk } from "./http-body.js";
import type { ModelRouter, Route } from "./model-router.js";
import { TurnContext } from "./turn-context.js";

export interface AnthropicRouteContext {
  router: ModelRouter;
  recorder: TurnRecorder;
  lanes: LaneTracker;
  bodyLimitBytes: number;
}

export function sendAnthropicError(response: ServerResponse, error: SwitchyardError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  sendJson(response, error.status, anthropicErrorBody(error), headers);
}

/** An AbortSignal that fires when the client goes away before we finished answering. */
function clientGone(request: IncomingMessage, response: ServerResponse): AbortController {
  const controller = new AbortController();
  const abort = () => {
    if (!response.writableFinished)
      controller.abort(new SwitchyardError("client disconnected", { kind: "upstream", code: "client_gone" }));
  };
  response.on("close", abort);
  request.on("aborted", abort);
  return controller;
}

/** POST /v1/messages: streaming and not, errors in Anthropic's shape, aborts passed upstream. */
export async function handleMessages(
  request: IncomingMessage,
  response: ServerResponse,
  context: AnthropicRouteContext,
): Promise<void> {
  const turn = new TurnContext(context.recorder, context.lanes, "anthropic", "messages", clientGone(request, response));
  const collector = turn.collector;
  const finish = (status: number, error?: SwitchyardError) => turn.finish(status, error);

  let events: AsyncIterator<CanonicalEvent>;
  let first: IteratorResult<CanonicalEvent>;
  try {
    const canonical = normalizeForCache(
      parseAnthropicRequest(await readJsonBody(request, context.bodyLimitBytes), request.headers),
    );
    const lane = turn.identify(canonical);
    const route = context.router.resolve(canonical.model, turn.identity?.sessionId);
    turn.route = route;
    events = route.backend
      .stream(canonical, { model: route.model, signal: turn.abort.signal, lane, turn: turn.details })
      [Symbol.asyncIterator]();
    // Read the first event before committing to a status: an upstream failure is still a real HTTP error.
    first = await events.next();
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (!response.headersSent && !response.destroyed) sendAnthropicError(response, error);
    finish(error.status, error);
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
      if (!response.destroyed) sendAnthropicError(response, failure);
      finish(failure.status, failure);
      return;
    }
    turn.markFirstByte();
    sendJson(response, 200, anthropicMessageBody(collector.message));
    finish(200);
    return;
  }

  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let failure: SwitchyardError | undefined;
  let corked = false;
  const uncork = () => {
    corked = false;
    response.uncork();
  };
  try {
    for (let item = first; !item.done; item = await events.next()) {
      const event = item.value;
      collector.add(event);
      if (event.type === "error") failure = event.error;
      if (response.destroyed) continue;
      // Events that arrive together (one upstream chunk) leave in one write.
      if (!corked) {
        corked = true;
        response.cork();
        process.nextTick(uncork);
      }
      const pending = writeChunk(response, encodeAnthropicEvent(event));
      turn.markFirstByte();
      if (pending) await pending;
    }
  } catch (thrown) {
    // Backends encode failures as events once started; this is a safety net that keeps the stream valid.
    failure = toSwitchyardError(thrown);
    if (!response.destroyed)
      response.write(encodeAnthropicEvent({ type: "error", error: failure, usage: collector.message.usage }));
  }
  response.end();
  finish(200, failure);
}

/** POST /v1/messages/count_tokens: exact, through the backend that would serve the request. */
export async function handleCountTokens(
  request: IncomingMessage,
  response: ServerResponse,
  context: AnthropicRouteContext,
): Promise<void> {
  const turn = new TurnContext(
    context.recorder,
    context.lanes,
    "anthropic",
    "count_tokens",
    clientGone(request, response),
  );
  try {
    const canonical = normalizeForCache(
      parseAnthropicCountTokensRequest(await readJsonBody(request, context.bodyLimitBytes), request.headers),
    );
    turn.identify(canonical);
    const route: Route = context.router.resolve(canonical.model, turn.identity?.sessionId);
    turn.route = route;
    const count = await route.backend.countTokens(canonical, { model: route.model, signal: turn.abort.signal });
    sendJson(
      response,
      200,
      { input_tokens: count.tokens },
      { "x-switchyard-token-count": count.exact ? "exact" : "estimate" },
    );
    turn.finish(200);
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (!response.destroyed) sendAnthropicError(response, error);
    turn.finish(error.status, error);
  }
}

/** GET /v1/models in Anthropic's list shape. */
export function handleListModels(response: ServerResponse, router: ModelRouter): void {
  const data = router.modelNames().map((id) => ({
    type: "model",
    id,
    display_name: id,
    created_at: "1970-01-01T00:00:00Z",
  }));
  sendJson(response, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
}
