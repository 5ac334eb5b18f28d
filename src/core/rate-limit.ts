/**
 * What an upstream said about its rate limits: how long to wait, and its `x-ratelimit-*` headers as sent
 * (OpenAI and NIM: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`; OpenRouter:
 * `x-ratelimit-{limit,remaining,reset}`; Anthropic: `anthropic-ratelimit-*`). Kept on errors and turn
 * records; never invented.
 */
export interface RateLimitInfo {
  /** Seconds to wait before retrying, when the upstream said (`Retry-After`, `retry-after-ms`). */
  retryAfterSeconds?: number;
  /** The `x-ratelimit-*` / `anthropic-ratelimit-*` headers, names lower-cased, values as sent. */
  headers: Record<string, string>;
}
