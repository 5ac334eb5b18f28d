import type { CanonicalEvent } from "../core/canonical.js";
import { toSwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";

/**
 * A backend's events with its facts about the turn on `message_start`, or on the error when it fails
 * before one. `facts` is the backend's own, filled in while it opens the request (slot, template,
 * deadline, rate limits); it is read once, at the first event. After that, reads go straight to the
 * backend's stream: no generator in between, so no extra hop per event.
 */
export function reportTurnFacts(
  events: AsyncIterable<CanonicalEvent>,
  facts: TurnFacts,
): AsyncIterable<CanonicalEvent> {
  const iterator = events[Symbol.asyncIterator]();
  let started = false;
  const first = async (): Promise<IteratorResult<CanonicalEvent>> => {
    let item: IteratorResult<CanonicalEvent>;
    try {
      item = await iterator.next();
    } catch (error) {
      throw toSwitchyardError(error).withFacts(facts);
    }
    if (item.done) return item;
    const event = item.value;
    if (event.type === "message_start") return { done: false, value: { ...event, facts: { ...facts } } };
    if (event.type === "error") return { done: false, value: { ...event, error: event.error.withFacts(facts) } };
    return item;
  };
  const reader: AsyncIterableIterator<CanonicalEvent> = {
    [Symbol.asyncIterator]: () => reader,
    next: () => {
      if (started) return iterator.next();
      started = true;
      return first();
    },
    // A reader that stops early ends the backend's request (and frees its slot).
    return: async (value?: unknown) =>
      (await iterator.return?.(value)) ?? { done: true, value: value as CanonicalEvent },
  };
  return reader;
}
