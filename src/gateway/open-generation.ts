import { prepareLocalContent } from "../backends/prepare-local-content.js";
import type { CanonicalEvent, CanonicalRequest } from "../core/canonical.js";
import { clampMaxTokens } from "../routing/clamp-max-tokens.js";
import type { Route } from "../routing/model-router.js";
import { openWithFallback } from "../routing/open-with-fallback.js";
import { transformHistory } from "../routing/transform-history.js";
import type { SessionIdentity } from "../sessions/session-identity.js";
import type { RouteContext } from "./serve-generation.js";
import type { TurnContext } from "./turn-context.js";

/**
 * Executes the routing plan of a generation request and reads its first event: session routing plans
 * (decision, fit, fallback chain), and this opens the chain's backends in turn until one answers.
 */
export async function openGeneration(
  context: RouteContext,
  request: CanonicalRequest,
  turn: TurnContext,
  identity: SessionIdentity,
): Promise<{ events: AsyncIterator<CanonicalEvent>; first: IteratorResult<CanonicalEvent> }> {
  const routing = context.routing;
  const signal = turn.abort.signal;
  const plan = await routing.plan(request, identity, signal);
  const record = plan.record;
  turn.routing = record;
  turn.observer = (finished, message) => routing.complete(finished, message, identity, request);
  // Each backend tried gets the history in a shape it takes (another model's thinking, tool ids, …),
  // its content blocks made readable (local backends) and max_tokens within what its context leaves.
  // The backend's own stream is what comes back, with no generator around it to pass each event on.
  const open = async (route: Route): Promise<AsyncIterable<CanonicalEvent>> => {
    const converted = transformHistory(request, routing.historyTarget(route.backend));
    if (converted.changes) record.history = converted.changes;
    else delete record.history;
    if (route.backend.kind !== "anthropic") await prepareLocalContent(converted.request, route.backend.name);
    const sized = await clampMaxTokens(route.backend, route.model, converted.request, signal);
    turn.maxTokensClamped = sized.clamp;
    return route.backend.stream(sized.request, {
      model: route.model,
      signal,
      lane: identity,
      slotMemory: routing.sessions,
    });
  };
  const opened = await openWithFallback(plan.chain, open, routing.cooldowns, signal, record, (route) => {
    turn.route = route;
  });
  // What the backend did with the turn comes on its first event (a failure carries its own).
  if (!opened.first.done && opened.first.value.type === "message_start") turn.facts = opened.first.value.facts;
  return { events: opened.events, first: opened.first };
}
