import type { IncomingMessage, ServerResponse } from "node:http";
import { parseResponsesRequest, responsesToolNames } from "../protocols/openai-responses/parse-responses-request.js";
import { responsesBody, responsesId } from "../protocols/openai-responses/responses-output.js";
import { ResponsesStreamEncoder } from "../protocols/openai-responses/responses-stream-encoder.js";
import { type CountingDoor, handleCountTokens } from "./count-tokens-route.js";
import { sendOpenAIError } from "./openai-routes.js";
import { type FrontDoor, type RouteContext, serveGeneration } from "./serve-generation.js";

const now = () => Math.floor(Date.now() / 1000);

/**
 * The OpenAI Responses door (Codex CLI, pi's `openai-responses` API): sessions, the append-only prompt and
 * slots apply as to the other two; errors are OpenAI's.
 */
export const RESPONSES_DOOR: FrontDoor = {
  protocol: "openai",
  endpoint: "responses",
  parse: parseResponsesRequest,
  streamEncoder: (request) => {
    const encoder = new ResponsesStreamEncoder({
      id: responsesId("resp"),
      model: request.model,
      createdAt: now(),
      names: responsesToolNames(request),
    });
    return { encode: (event) => encoder.encode(event), keepAlive: () => encoder.keepAlive() };
  },
  messageBody: (message, request) => responsesBody(message, responsesToolNames(request), now()),
  sendError: sendOpenAIError,
};

/** POST /v1/responses. */
export function handleResponses(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  receivedAt?: number,
) {
  return serveGeneration(request, response, context, RESPONSES_DOOR, receivedAt);
}

/** OpenAI's `POST /v1/responses/input_tokens`: `{object: "response.input_tokens", input_tokens}`. */
const RESPONSES_COUNTING: CountingDoor = {
  protocol: "openai",
  parse: parseResponsesRequest,
  body: (tokens) => ({ object: "response.input_tokens", input_tokens: tokens }),
  sendError: sendOpenAIError,
};

/** POST /v1/responses/input_tokens: exact, through the backend that would serve the request. */
export function handleResponsesInputTokens(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  receivedAt?: number,
) {
  return handleCountTokens(request, response, context, RESPONSES_COUNTING, receivedAt);
}
