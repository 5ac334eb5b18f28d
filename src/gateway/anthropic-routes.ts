import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CanonicalEvent } from "../core/canonical.js";
import { MessageCollector } from "../core/collect-message.js";
import { SwitchyardError, toSwitchyardError } from "../core/errors.js";
import { anthropicErrorBody } from "../protocols/anthropic/anthropic-errors.js";
import { anthropicMessageBody } from "../protocols/anthropic/anthropic-response.js";
import { encodeAnthropicEvent } from "../protocols/anthropic/anthropic-stream-encoder.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicRequest,
} from "../protocols/anthropic/parse-anthropic-request.js";
import type { TurnRecord, TurnRecorder } from "../telemetry/turn-record.js";
import { readJsonBody, sendJson, writeChunk } from "./http-body.js";
import type { ModelRouter, Route } from "./model-router.js";

export interface AnthropicRouteContext {
  router: ModelRouter;
  recorder: TurnRecorder;
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

function baseRecord(
  route: Route | undefined,
  requestedModel: string,
  stream: boolean,
  endpoint: TurnRecord["endpoint"],
) {
  return {
    id: randomUUID(),
    startedAt: new Date().toISOString(),
    protocol: "anthropic" as const,
    endpoint,
    requestedModel,
    backend: route?.backend.name ?? "none",
    backendModel: route?.model ?? "",
    routeReason: route?.reason ?? "",
    stream,
  };
}

/** POST /v1/messages: streaming and not, errors in Anthropic's shape, aborts passed upstream. */
export async function handleMessages(
  request: IncomingMessage,
  response: ServerResponse,
  context: AnthropicRouteContext,
): Promise<void> {
  const started = performance.now();
  const controller = clientGone(request, response);
  let route: Route | undefined;
  let requestedModel = "";
  let stream = false;
  let ttftMs: number | undefined;
  const collector = new MessageCollector();
  const finish = (status: number, error?: SwitchyardError) => {
    const message = collector.message;
    context.recorder.add({
      ...baseRecord(route, requestedModel, stream, "messages"),
      status,
      ttftMs,
      durationMs: performance.now() - started,
      usage: message.id ? message.usage : undefined,
      timings: message.timings,
      stopReason: message.stopReason,
      error: error ? { code: error.code, message: error.message } : undefined,
      clientAborted: controller.signal.aborted,
    });
  };

  let events: AsyncIterator<CanonicalEvent>;
  let first: IteratorResult<CanonicalEvent>;
  try {
    const canonical = parseAnthropicRequest(await readJsonBody(request, context.bodyLimitBytes), request.headers);
    requestedModel = canonical.model;
    stream = canonical.stream;
    route = context.router.resolve(canonical.model);
    events = route.backend.stream(canonical, { model: route.model, signal: controller.signal })[Symbol.asyncIterator]();
    // Read the first event before committing to a status: an upstream failure is still a real HTTP error.
    first = await events.next();
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (!response.headersSent && !response.destroyed) sendAnthropicError(response, error);
    finish(error.status, error);
    return;
  }

  if (!stream) {
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
    ttftMs = performance.now() - started;
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
      ttftMs ??= performance.now() - started;
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
  const started = performance.now();
  const controller = clientGone(request, response);
  let route: Route | undefined;
  let requestedModel = "";
  try {
    const canonical = parseAnthropicCountTokensRequest(
      await readJsonBody(request, context.bodyLimitBytes),
      request.headers,
    );
    requestedModel = canonical.model;
    route = context.router.resolve(canonical.model);
    const count = await route.backend.countTokens(canonical, { model: route.model, signal: controller.signal });
    sendJson(
      response,
      200,
      { input_tokens: count.tokens },
      { "x-switchyard-token-count": count.exact ? "exact" : "estimate" },
    );
    context.recorder.add({
      ...baseRecord(route, requestedModel, false, "count_tokens"),
      status: 200,
      ttftMs: undefined,
      durationMs: performance.now() - started,
      usage: undefined,
      timings: undefined,
      stopReason: undefined,
      error: undefined,
      clientAborted: false,
    });
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (!response.destroyed) sendAnthropicError(response, error);
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
