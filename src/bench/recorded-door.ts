import type { CanonicalRequest } from "../core/canonical.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { parseOpenAIChatRequest } from "../protocols/openai/parse-openai-request.js";
import { parseResponsesRequest } from "../protocols/openai-responses/parse-responses-request.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import { identifySession, type SessionIdentity } from "../sessions/session-identity.js";
import type { TurnRecord } from "../telemetry/turn-record.js";
import type { StreamWire } from "./measure-stream.js";
import type { FixtureRequest } from "./recorded-sessions.js";

/** The protocol a recorded request was sent in, as a replay needs it. */
export interface RecordedDoor {
  wire: StreamWire;
  /** The gateway's turn records name requests of this door so. */
  endpoint: TurnRecord["endpoint"];
  parse(raw: unknown, headers: Record<string, string>): CanonicalRequest;
  /** The body as replayed: streamed, with usage, its answer capped at `maxTokens` when given. */
  replayBody(body: Record<string, unknown>, maxTokens: number | undefined): Record<string, unknown>;
}

const DOORS: Record<string, RecordedDoor> = {
  "/v1/messages": {
    wire: "anthropic",
    endpoint: "messages",
    parse: parseAnthropicRequest,
    replayBody: (body, maxTokens) => ({ ...body, stream: true, ...(maxTokens ? { max_tokens: maxTokens } : {}) }),
  },
  "/v1/chat/completions": {
    wire: "openai",
    endpoint: "chat_completions",
    parse: parseOpenAIChatRequest,
    replayBody: (body, maxTokens) => ({
      ...body,
      stream: true,
      stream_options: { ...(body.stream_options as object | undefined), include_usage: true },
      // The field the client sent (max_completion_tokens wins over max_tokens where both are read).
      ...(maxTokens
        ? { [body.max_completion_tokens === undefined ? "max_tokens" : "max_completion_tokens"]: maxTokens }
        : {}),
    }),
  },
  "/v1/responses": {
    wire: "responses",
    endpoint: "responses",
    parse: parseResponsesRequest,
    replayBody: (body, maxTokens) => ({
      ...body,
      stream: true,
      ...(maxTokens ? { max_output_tokens: maxTokens } : {}),
    }),
  },
};

/** The door a recorded request went to (`?beta=true` and the like aside); undefined for one a replay skips. */
export function recordedDoor(request: Pick<FixtureRequest, "method" | "url" | "body">): RecordedDoor | undefined {
  if (request.method !== "POST" || !request.body) return undefined;
  return DOORS[request.url.replace(/\?.*$/, "")];
}

/** Whether a recorded request is a turn a replay sends again (a generation on one of the three doors). */
export const isReplayedTurn = (request: FixtureRequest) => recordedDoor(request) !== undefined;

/** A recorded turn's door and the body a replay sends for it. */
export function replayRequest(
  request: FixtureRequest,
  maxTokens: number | undefined,
): { door: RecordedDoor; body: Record<string, unknown> } {
  const door = recordedDoor(request);
  if (!door) throw new Error(`${request.session}/${request.file} (${request.method} ${request.url}) is not a turn`);
  return { door, body: door.replayBody(request.body as Record<string, unknown>, maxTokens) };
}

/**
 * A recorded turn as a gateway sees it when replayed: canonical, made append-only, and its session. Throws
 * the door's own invalid_request error, naming the field, for a body Switchyard would refuse.
 */
export function replayedTurn(
  request: FixtureRequest,
  maxTokens: number | undefined,
): { door: RecordedDoor; canonical: CanonicalRequest; identity: SessionIdentity } {
  const { door, body } = replayRequest(request, maxTokens);
  const canonical = normalizeForCache(door.parse(body, request.headers));
  return { door, canonical, identity: identifySession(canonical) };
}
