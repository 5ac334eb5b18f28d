import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The key an API client sent: `x-api-key`, else `Authorization: Bearer`. */
export function presentedKey(request: IncomingMessage): string | undefined {
  const header = request.headers["x-api-key"];
  if (typeof header === "string") return header;
  const authorization = request.headers.authorization;
  return authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Constant-time comparison; digests first, so the time says nothing about the key's length either. */
export function keyMatches(expected: string, presented: string | undefined): boolean {
  return presented !== undefined && timingSafeEqual(digest(expected), digest(presented));
}
