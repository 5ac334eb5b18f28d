import type { RateLimitInfo } from "./rate-limit.js";
import type { TurnFacts } from "./turn-facts.js";

/**
 * One error hierarchy for the whole gateway. Each error has a stable `code`, the HTTP `status` it maps
 * to, whether a retry (or failover) could help, and its cause. Protocol shapes (Anthropic, OpenAI) are
 * produced only at the edge, from `kind`.
 */
export type ErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "request_too_large"
  | "rate_limit"
  | "upstream"
  | "timeout"
  | "overloaded"
  | "internal";

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  upstream: 502,
  timeout: 504,
  overloaded: 529,
  internal: 500,
};

export interface SwitchyardErrorOptions {
  kind: ErrorKind;
  /** Stable machine-readable code, e.g. `context_overflow`, `backend_unreachable`. */
  code: string;
  status?: number;
  retryable?: boolean;
  cause?: unknown;
  /** Seconds the client should wait before retrying (from an upstream Retry-After). */
  retryAfterSeconds?: number;
  /** The upstream's rate-limit headers, for the turn record. */
  rateLimit?: RateLimitInfo;
  /** What the backend had done with the turn when it failed before its first event, for the turn record. */
  facts?: TurnFacts;
}

export class SwitchyardError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly facts: TurnFacts | undefined;

  constructor(message: string, options: SwitchyardErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "SwitchyardError";
    this.kind = options.kind;
    this.code = options.code;
    this.status = options.status ?? STATUS[options.kind];
    this.retryable = options.retryable ?? ["rate_limit", "upstream", "timeout", "overloaded"].includes(options.kind);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.rateLimit = options.rateLimit;
    this.facts = options.facts;
  }

  /** This error with `facts` (a backend's, when it failed before its first event) added to its own. */
  withFacts(facts: TurnFacts): SwitchyardError {
    return new SwitchyardError(this.message, {
      kind: this.kind,
      code: this.code,
      status: this.status,
      retryable: this.retryable,
      cause: this.cause,
      retryAfterSeconds: this.retryAfterSeconds,
      rateLimit: this.rateLimit,
      facts: { ...facts, ...this.facts },
    });
  }
}

export const invalidRequest = (message: string, code = "invalid_request") =>
  new SwitchyardError(message, { kind: "invalid_request", code });

/** Wraps anything thrown into a SwitchyardError, keeping ours as they are. */
export function toSwitchyardError(error: unknown): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return new SwitchyardError(error.message || "the request was aborted", {
      kind: error.name === "TimeoutError" ? "timeout" : "upstream",
      code: error.name === "TimeoutError" ? "upstream_timeout" : "aborted",
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SwitchyardError(message, { kind: "internal", code: "internal_error", cause: error });
}

/**
 * A failure while reading an upstream stream, as a SwitchyardError: ours stay as they are, an abort is
 * `aborted`, a timeout `timeout`, anything else `stream_interrupted`.
 */
export function streamFailure(error: unknown, backendName: string): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const cause = error as Error | undefined;
  if (cause?.name === "AbortError") {
    return new SwitchyardError("the request was aborted", { kind: "upstream", code: "aborted", cause: error });
  }
  return new SwitchyardError(`${backendName} stream broke: ${cause?.message ?? String(error)}`, {
    kind: /timeout/i.test(cause?.name ?? "") ? "timeout" : "upstream",
    code: "stream_interrupted",
    cause: error,
  });
}
