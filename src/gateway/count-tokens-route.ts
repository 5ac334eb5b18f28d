import type { IncomingMessage, ServerResponse } from "node:http";
import { extractRequestPdfs } from "../backends/prepare-local-content.js";
import type { CanonicalRequest } from "../core/canonical.js";
import { type SwitchyardError, toSwitchyardError } from "../core/errors.js";
import { transformHistory } from "../routing/transform-history.js";
import { normalizeForCache } from "../sessions/normalize-request.js";
import type { TurnRecord } from "../telemetry/turn-record.js";
import { sendJson } from "../util/send-json.js";
import { readJsonBody } from "./http-body.js";
import { type RouteContext, turnFor } from "./serve-generation.js";

/** What a door brings to counting a request's tokens. */
export interface CountingDoor {
  protocol: TurnRecord["protocol"];
  parse(raw: unknown, headers: IncomingMessage["headers"]): CanonicalRequest;
  /** The answer's body for a count. */
  body(tokens: number): unknown;
  sendError(response: ServerResponse, error: SwitchyardError): void;
}

/**
 * A request's prompt tokens, exact, through the backend that would serve it (POST /v1/messages/count_tokens,
 * POST /v1/responses/input_tokens).
 */
export async function handleCountTokens(
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteContext,
  door: CountingDoor,
  receivedAt?: number,
): Promise<void> {
  const turn = turnFor(request, response, context, door.protocol, "count_tokens", receivedAt);
  try {
    const canonical = normalizeForCache(
      door.parse(await readJsonBody(request, context.bodyLimitBytes, context.repeatedMembers), request.headers),
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
    sendJson(response, 200, door.body(count.tokens), {
      "x-switchyard-token-count": count.exact ? "exact" : "estimate",
    });
    turn.finish(200);
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (!response.destroyed) door.sendError(response, error);
    turn.finish(error.status, error);
  }
}
