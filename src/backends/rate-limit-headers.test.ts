import { describe, expect, it } from "vitest";
import { parseRetryAfter, readRateLimit } from "./rate-limit-headers.js";

const NOW = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");

describe("parseRetryAfter", () => {
  it.each([
    ["7", 7],
    ["0", 0],
    ["1.5", 2],
    ["Wed, 21 Oct 2026 07:28:30 GMT", 30],
    ["Wed, 21 Oct 2026 07:27:00 GMT", 0],
  ])("reads %j as %i seconds", (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each([undefined, "", "soon", "-3"])("ignores %j", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe("readRateLimit", () => {
  it("keeps OpenAI's x-ratelimit-* headers as sent and prefers retry-after-ms to Retry-After", () => {
    const limits = {
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "150000",
      "x-ratelimit-remaining-tokens": "149984",
      "x-ratelimit-reset-tokens": "6m0s",
    };
    const headers = { "content-type": "application/json", "retry-after": "20", "retry-after-ms": "1500", ...limits };
    expect(readRateLimit(headers, NOW)).toEqual({ retryAfterSeconds: 2, headers: limits });
  });

  it("reads OpenRouter's X-RateLimit-* names lower-cased, with no wait when none is given", () => {
    const headers = { "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1764590400000" };
    expect(readRateLimit(headers, NOW)).toEqual({
      headers: { "x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1764590400000" },
    });
  });

  it("reads Anthropic's anthropic-ratelimit-* headers", () => {
    const headers = {
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": "2026-10-21T07:28:01Z",
      "request-id": "req_018EeWyXxfu5pfWkrYcMdjWG",
    };
    const { "request-id": _id, ...limits } = headers;
    expect(readRateLimit(headers, NOW)).toEqual({ headers: limits });
  });

  it("is undefined for a response that says nothing about limits", () => {
    expect(readRateLimit({ "content-type": "text/event-stream" }, NOW)).toBeUndefined();
  });
});
