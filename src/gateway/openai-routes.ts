import type { IncomingMessage, ServerResponse } from "node:http";
import type { SwitchyardError } from "../core/errors.js";
import { openAIErrorBody } from "../protocols/openai/openai-errors.js";
import { openAIChatCompletionBody } from "../protocols/openai/openai-response.js";
import { OpenAIStreamEncoder } from "../protocols/openai/openai-stream-encoder.js";
import { openAIStreamIncludesUsage, parseOpenAIChatRequest } from "../protocols/openai/parse-openai-request.js";
import { sendJson } from "../util/send-json.js";
import { type FrontDoor, type RouteContext, serveGeneration } from "./serve-generation.js";

export function sendOpenAIError(response: ServerResponse, error: SwitchyardError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  // The rest of an oversized body is not worth reading: answer, then close the connection.
  if (error.kind === "request_too_large") headers.connection = "close";
  sendJson(response, error.status, openAIErrorBody(error), headers);
}

const now = () => Math.floor(Date.now() / 1000);

/** The OpenAI Chat Completions door: sessions, the append-only prompt and slots apply as to the Anthropic one. */
export const OPENAI_DOOR: FrontDoor = {
  protocol: "openai",
  endpoint: "chat_completions",
  parse: parseOpenAIChatRequest,
  streamEncoder: (request) => {
    const encoder = new OpenAIStreamEncoder({
      id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`,
      model: request.model,
      created: now(),
      includeUsage: openAIStreamIncludesUsage(request),
    });
    return { encode: (event) => encoder.encode(event) };
  },
  messageBody: (message) => openAIChatCompletionBody(message, now()),
  sendError: sendOpenAIError,
};

/** POST /v1/chat/completions. */
export function handleChatCompletions(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  receivedAt?: number,
) {
  return serveGeneration(request, response, context, OPENAI_DOOR, receivedAt);
}
