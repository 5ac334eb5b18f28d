import type { RateLimitInfo } from "../core/rate-limit.js";

type HeaderValue = string | string[] | undefined;

/** OpenAI, NIM and OpenRouter send `x-ratelimit-*`; Anthropic sends `anthropic-ratelimit-*` (its rate limits page). */
const RATE_LIMIT_PREFIXES = ["x-ratelimit-", "anthropic-ratelimit-"];

const first = (value: HeaderValue) => (Array.isArray(value) ? value[0] : value);

/** Seconds from a `Retry-After` value: delta-seconds, or an HTTP date relative to `now`. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  // An HTTP date names its day and month ("Wed, 21 Oct 2026 07:28:00 GMT"); "-3" is not one.
  const date = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The rate-limit facts in a response's headers, undefined when it carries none: `retry-after-ms`
 * (OpenAI's, more precise) over `Retry-After` (seconds or an HTTP date), and every `x-ratelimit-*` and
 * `anthropic-ratelimit-*` header.
 */
export function readRateLimit(headers: Record<string, HeaderValue>, now = Date.now()): RateLimitInfo | undefined {
  const limits: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = first(value);
    const lower = name.toLowerCase();
    if (text !== undefined && RATE_LIMIT_PREFIXES.some((prefix) => lower.startsWith(prefix))) limits[lower] = text;
  }
  const milliseconds = first(headers["retry-after-ms"]);
  const fromMs =
    milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds.trim())
      ? Math.ceil(Number(milliseconds) / 1000)
      : undefined;
  const retryAfterSeconds = fromMs ?? parseRetryAfter(first(headers["retry-after"]), now);
  if (retryAfterSeconds === undefined && Object.keys(limits).length === 0) return undefined;
  return retryAfterSeconds === undefined ? { headers: limits } : { retryAfterSeconds, headers: limits };
}
