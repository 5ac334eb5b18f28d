import { UNSUPPORTED_CONTENT } from "../backends/prepare-local-content.js";
import type { CanonicalEvent } from "../core/canonical.js";
import { type SwitchyardError, toSwitchyardError } from "../core/errors.js";
import type { BackendCooldowns } from "./backend-cooldown.js";
import type { Route } from "./model-router.js";
import type { RoutingRecord } from "./routing-record.js";

export interface OpenedStream {
  route: Route;
  events: AsyncIterator<CanonicalEvent>;
  first: IteratorResult<CanonicalEvent>;
}

/** Refusals that say something about this backend, not about the request or the backend's health. */
const BACKEND_SPECIFIC = new Set(["context_overflow", UNSUPPORTED_CONTENT]);

/**
 * Failures worth another backend: unreachable, timeouts, 5xx, 529, 429, a stream that broke before its
 * first event, a prompt too long for this backend's context, and a content block this backend cannot
 * read (a PDF by URL on a local model). Never a client abort, never a request any backend would reject.
 */
function canFailOver(error: SwitchyardError, signal: AbortSignal): boolean {
  if (signal.aborted || error.code === "aborted") return false;
  return error.retryable || BACKEND_SPECIFIC.has(error.code);
}

/**
 * Opens the first backend of the chain that answers. Nothing has reached the client until the first
 * event is read, so a failure up to there moves to the next backend; after it, the caller streams and
 * a failure is a final error event (no retry, no half-sent duplicate). Backends cooling down after
 * failures go last. Failed attempts and skipped backends are written into `record`.
 */
export async function openWithFallback(
  chain: readonly Route[],
  open: (route: Route) => AsyncIterable<CanonicalEvent> | Promise<AsyncIterable<CanonicalEvent>>,
  cooldowns: BackendCooldowns,
  signal: AbortSignal,
  record: RoutingRecord,
  onAttempt: (route: Route) => void,
): Promise<OpenedStream> {
  const ready = chain.filter((route) => cooldowns.remainingMs(route.backend.name) === 0);
  const cooling = chain.filter((route) => !ready.includes(route));
  if (ready.length > 0 && cooling.length > 0) {
    record.skipped = cooling.map((route) => ({
      backend: route.backend.name,
      cooldownMs: cooldowns.remainingMs(route.backend.name),
    }));
  }
  let lastError: SwitchyardError | undefined;
  for (const route of [...ready, ...cooling]) {
    onAttempt(route);
    let events: AsyncIterator<CanonicalEvent> | undefined;
    try {
      events = (await open(route))[Symbol.asyncIterator]();
      const first = await events.next();
      if (!first.done && first.value.type === "error" && canFailOver(first.value.error, signal))
        throw first.value.error;
      cooldowns.succeed(route.backend.name);
      return { route, events, first };
    } catch (thrown) {
      const error = toSwitchyardError(thrown);
      if (!canFailOver(error, signal)) throw error;
      await events?.return?.().catch(() => undefined);
      // Too long for this backend, or a block it cannot read, says nothing about its health.
      if (!BACKEND_SPECIFIC.has(error.code)) cooldowns.fail(route.backend.name, error.code);
      record.fallback = [
        ...(record.fallback ?? []),
        { backend: route.backend.name, code: error.code, message: error.message },
      ];
      lastError = error;
    }
  }
  throw lastError ?? new Error("no backend to try");
}
