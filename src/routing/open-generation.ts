import { prepareLocalContent } from "../backends/prepare-local-content.js";
import type { CanonicalEvent, CanonicalRequest } from "../core/canonical.js";
import type { RouteContext } from "../gateway/serve-generation.js";
import type { TurnContext } from "../gateway/turn-context.js";
import type { Lane } from "../sessions/lane.js";
import { clampMaxTokens } from "./clamp-max-tokens.js";
import type { Route } from "./model-router.js";
import { openWithFallback } from "./open-with-fallback.js";
import { type HistoryChanges, historyTargetFor, transformHistory } from "./transform-history.js";

/**
 * Routes a generation request and reads its first event: through session routing (decision, fit,
 * fallback chain) when the gateway has it, else straight to the model router's choice.
 */
export async function openGeneration(
  context: RouteContext,
  request: CanonicalRequest,
  turn: TurnContext,
  lane: Lane,
): Promise<{ events: AsyncIterator<CanonicalEvent>; first: IteratorResult<CanonicalEvent> }> {
  // Each backend tried gets the history in a shape it takes (another model's thinking, tool ids, …),
  // its content blocks made readable (local backends) and max_tokens within what its context leaves.
  const open = async function* (route: Route): AsyncGenerator<CanonicalEvent> {
    const signal = turn.abort.signal;
    const target = context.routing?.historyTarget(route.backend) ?? historyTargetFor(route.backend);
    const converted = transformHistory(request, target);
    onHistory(converted.changes);
    if (route.backend.kind !== "anthropic") await prepareLocalContent(converted.request, route.backend.name);
    const sized = await clampMaxTokens(route.backend, route.model, converted.request, signal);
    turn.details.maxTokensClamped = sized.clamp;
    yield* route.backend.stream(sized.request, {
      model: route.model,
      signal,
      lane,
      slotMemory: context.router.sessions,
      turn: turn.details,
    });
  };
  const onHistory = (changes: HistoryChanges | undefined) => {
    if (!turn.routing) return;
    if (changes) turn.routing.history = changes;
    else delete turn.routing.history;
  };
  const routing = context.routing;
  const identity = turn.identity;
  if (!routing || !identity) {
    const route = context.router.resolve(request.model, identity?.sessionId);
    turn.route = route;
    const events = open(route)[Symbol.asyncIterator]();
    return { events, first: await events.next() };
  }
  const plan = await routing.plan(request, identity, turn.abort.signal);
  turn.routing = plan.record;
  turn.observer = (record, message) => routing.complete(record, message, identity, request);
  const opened = await openWithFallback(
    plan.chain,
    open,
    routing.cooldowns,
    turn.abort.signal,
    plan.record,
    (route) => {
      turn.route = route;
    },
  );
  return { events: opened.events, first: opened.first };
}
