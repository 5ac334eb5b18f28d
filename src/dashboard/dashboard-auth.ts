import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { presentedKey } from "../security/api-key.js";

export const SESSION_COOKIE = "switchyard_dashboard";
const SESSION_SECONDS = 12 * 60 * 60;

/**
 * Who may see the dashboard when the gateway has an API key. API clients send the key
 * (x-api-key / Bearer); a browser logs in once with it and then carries a cookie. The cookie holds an
 * expiry and an HMAC of it under a secret made at start-up, never the key: restarting the gateway, or
 * changing the key, signs everyone out.
 */
export class DashboardAuth {
  private readonly secret = randomBytes(32);

  /** The gateway's constant-time key check (security/api-key.ts); undefined when it has no key. */
  constructor(private readonly keyMatches: ((presented: string | undefined) => boolean) | undefined) {}

  /** Without a key (a loopback gateway by default) the dashboard is open. */
  get required(): boolean {
    return this.keyMatches !== undefined;
  }

  allows(request: IncomingMessage): boolean {
    if (this.keyMatches === undefined) return true;
    return this.keyMatches(presentedKey(request)) || this.validCookie(request.headers.cookie);
  }

  /** The Set-Cookie value for a browser that presented the right key; undefined for a wrong one. */
  login(presented: string | undefined, now = Date.now()): string | undefined {
    if (this.keyMatches === undefined || !this.keyMatches(presented)) return undefined;
    const expires = Math.floor(now / 1000) + SESSION_SECONDS;
    const token = `${expires}.${this.sign(String(expires))}`;
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}`;
  }

  static logoutCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }

  private validCookie(header: string | undefined, now = Date.now()): boolean {
    const token = readCookie(header, SESSION_COOKIE);
    const [expires, signature] = token?.split(".") ?? [];
    if (!expires || !signature || !/^\d+$/.test(expires)) return false;
    const expected = Buffer.from(this.sign(expires));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) && Number(expires) * 1000 > now;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const [key, ...value] = pair.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}
