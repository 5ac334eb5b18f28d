import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The key a client presented: `x-api-key` (Anthropic clients) or `Authorization: Bearer` (OpenAI clients). */
export function presentedKey(request: IncomingMessage): string | undefined {
  const header = request.headers["x-api-key"];
  if (typeof header === "string") return header;
  const authorization = request.headers.authorization;
  return authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
}

/**
 * A constant-time check of presented keys against the expected one. Both sides are first reduced to an
 * HMAC under a key made at start: equal-length digests, so neither the comparison's time nor an early
 * length check says anything about the expected key's length or content.
 */
export function apiKeyChecker(expected: string): (presented: string | undefined) => boolean {
  const secret = randomBytes(32);
  const digest = (value: string) => createHmac("sha256", secret).update(value).digest();
  const wanted = digest(expected);
  return (presented) => presented !== undefined && timingSafeEqual(wanted, digest(presented));
}
