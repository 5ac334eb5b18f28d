import type { CanonicalEvent } from "../core/canonical.js";
import { toSwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";

/**
 * A backend's events with its facts about the turn on `message_start`, or on the error when it fails
 * before one. `facts` is the backend's own, filled in while it opens the request (slot, template,
 * deadline, rate limits); it is read once, at the first event. `events` may be a function that opens the
 * request and returns its events, called at the first read: a backend then needs no generator around
 * its stream to do the opening, and after the first event reads go straight to the backend's stream, so
 * no extra hop per event.
 */
export function reportTurnFacts(
  events: AsyncIterable<CanonicalEvent> | (() => Promise<AsyncIterable<CanonicalEvent>>),
  facts: TurnFacts,
): AsyncIterable<CanonicalEvent> {
  let iterator: AsyncIterator<CanonicalEvent> | undefined =
    typeof events === "function" ? undefined : events[Symbol.asyncIterator]();
  let started = false;
  const first = async (): Promise<IteratorResult<CanonicalEvent>> => {
    let item: IteratorResult<CanonicalEvent>;
    try {
      iterator ??= (await (events as () => Promise<AsyncIterable<CanonicalEvent>>)())[Symbol.asyncIterator]();
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
      if (started) return (iterator as AsyncIterator<CanonicalEvent>).next();
      started = true;
      return first();
    },
    // A reader that stops early ends the backend's request (and frees its slot).
    return: async (value?: unknown) =>
      (await iterator?.return?.(value)) ?? { done: true, value: value as CanonicalEvent },
  };
  return reader;
}
