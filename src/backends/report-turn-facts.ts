import type { CanonicalEvent } from "../core/canonical.js";
import { toSwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";

/**
 * A backend's events with its facts about the turn on `message_start`, or on the error when it fails
 * before one. `facts` is the backend's own, filled in while it opens the request (slot, template,
 * deadline, rate limits); it is read once, at the first event.
 */
export async function* reportTurnFacts(
  events: AsyncIterable<CanonicalEvent>,
  facts: TurnFacts,
): AsyncGenerator<CanonicalEvent> {
  const iterator = events[Symbol.asyncIterator]();
  let first: IteratorResult<CanonicalEvent>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw toSwitchyardError(error).withFacts(facts);
  }
  if (first.done) return;
  const event = first.value;
  let delegated = false;
  try {
    if (event.type === "message_start") yield { ...event, facts: { ...facts } };
    else if (event.type === "error") yield { ...event, error: event.error.withFacts(facts) };
    else yield event;
    delegated = true;
    yield* { [Symbol.asyncIterator]: () => iterator };
  } finally {
    // A consumer that stops at the first event must still end the backend's request (and free its slot).
    if (!delegated) await iterator.return?.();
  }
}
