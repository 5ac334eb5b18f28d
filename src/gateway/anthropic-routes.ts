import type { IncomingMessage, ServerResponse } from "node:http";
import { extractRequestPdfs } from "../backends/prepare-local-content.js";
import { type SwitchyardError, toSwitchyardError } from "../core/errors.js";
import { anthropicErrorBody } from "../protocols/anthropic/anthropic-errors.js";
import { anthropicMessageBody } from "../protocols/anthropic/anthropic-response.js";
import { encodeAnthropicEvent } from "../protocols/anthropic/anthropic-stream-encoder.js";
import {
  parseAnthropicCountTokensRequest,
  parseAnthropicRequest,
} from "../protocols/anthropic/parse-anthropic-request.js";
import type { ModelRouter } from "../routing/model-router.js";
import { transformHistory } from "../routing/transform-history.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import { sendJson } from "../util/send-json.js";
import { readJsonBody } from "./http-body.js";
import { clientGone, type FrontDoor, type RouteContext, serveGeneration } from "./serve-generation.js";
import { TurnContext } from "./turn-context.js";

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
  streamEncoder: () => ({ encode: encodeAnthropicEvent }),
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

/** POST /v1/messages/count_tokens: exact, through the backend that would serve the request. */
export async function handleCountTokens(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  receivedAt?: number,
): Promise<void> {
  const turn = new TurnContext(
    context.recorder,
    context.lanes,
    "anthropic",
    "count_tokens",
    clientGone(request, response),
    receivedAt,
  );
  try {
    const canonical = normalizeForCache(
      parseAnthropicCountTokensRequest(
        await readJsonBody(request, context.bodyLimitBytes, context.repeatedMembers),
        request.headers,
      ),
    );
    const identity = turn.identify(canonical);
    // The route the turn would take, planned without taking a turn: an escalated session is counted by
    // its cloud backend. Backends cooling down after failures go last, as when the turn opens them.
    const routing = context.routing;
    const { chain } = await routing.plan(canonical, identity, turn.abort.signal, { preview: true });
    const route = chain.find((each) => routing.cooldowns.remainingMs(each.backend.name) === 0) ?? chain[0];
    turn.route = route;
    // Counted as the backend would take the conversation (another model's thinking converted; on a
    // local backend a PDF by its text, as the turn will send it).
    const { request: counted } = transformHistory(canonical, routing.historyTarget(route.backend));
    if (route.backend.kind !== "anthropic") await extractRequestPdfs(counted);
    const count = await route.backend.countTokens(counted, { model: route.model, signal: turn.abort.signal });
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
