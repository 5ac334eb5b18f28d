import type { IncomingMessage, ServerResponse } from "node:http";
import type { SwitchyardError } from "../core/errors.js";
import { anthropicErrorBody } from "../protocols/anthropic/anthropic-errors.js";
import { anthropicMessageBody } from "../protocols/anthropic/anthropic-response.js";
import { anthropicStreamEncoder } from "../protocols/anthropic/anthropic-stream-encoder.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicRequest,
} from "../protocols/anthropic/parse-anthropic-request.js";
import type { ModelRouter } from "../routing/model-router.js";
import { sendJson } from "../util/send-json.js";
import { type CountingDoor, handleCountTokens } from "./count-tokens-route.js";
import { type FrontDoor, type RouteContext, serveGeneration } from "./serve-generation.js";

export function sendAnthropicError(response: ServerResponse, error: SwitchyardError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  // The rest of an oversized body is not worth reading: answer, then close the connection.
  if (error.kind === "request_too_large") headers.connection = "close";
  sendJson(response, error.status, anthropicErrorBody(error), headers);
}

/** The Anthropic Messages door. */
export const ANTHROPIC_DOOR: FrontDoor = {
  protocol: "anthropic",
  endpoint: "messages",
  parse: parseAnthropicRequest,
  streamEncoder: anthropicStreamEncoder,
  messageBody: anthropicMessageBody,
  sendError: sendAnthropicError,
};

/** POST /v1/messages: streaming and not, errors in Anthropic's shape, aborts passed upstream. */
export function handleMessages(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  receivedAt?: number,
): Promise<void> {
  return serveGeneration(request, response, context, ANTHROPIC_DOOR, receivedAt);
}

/** Anthropic's `POST /v1/messages/count_tokens`: `{input_tokens}`. */
export const ANTHROPIC_COUNTING: CountingDoor = {
  protocol: "anthropic",
  parse: parseAnthropicCountTokensRequest,
  body: (tokens) => ({ input_tokens: tokens }),
  sendError: sendAnthropicError,
};

/** POST /v1/messages/count_tokens: exact, through the backend that would serve the request. */
export function handleAnthropicCountTokens(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  receivedAt?: number,
): Promise<void> {
  return handleCountTokens(request, response, context, ANTHROPIC_COUNTING, receivedAt);
}

/**
 * GET /v1/models: one list both protocols read. Anthropic clients read `data[].id`, `type` and
 * `display_name`; OpenAI clients read `object: "list"` and `data[].id`, `object`, `owned_by`.
 */
export function handleListModels(response: ServerResponse, router: ModelRouter): void {
  const data = router.modelNames().map((id) => ({
    type: "model",
    object: "model",
    id,
    display_name: id,
    created_at: "1970-01-01T00:00:00Z",
    created: 0,
    owned_by: "switchyard",
  }));
  sendJson(response, 200, {
    object: "list",
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  });
}
