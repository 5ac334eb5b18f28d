import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { presentedKey } from "../security/api-key.js";

export const SESSION_COOKIE = "switchyard_dashboard";

/**
 * Whether the browser reached us over TLS: directly, or through a reverse proxy that says so. A client
 * lying in `x-forwarded-proto` only gets a cookie its own browser will not send back over plain HTTP.
 */
export function servedOverTls(request: IncomingMessage): boolean {
  if ((request.socket as { encrypted?: boolean }).encrypted === true) return true;
  const forwarded = request.headers["x-forwarded-proto"];
  return typeof forwarded === "string" && forwarded.split(",")[0]?.trim().toLowerCase() === "https";
}

/**
 * Who may see the dashboard when the gateway has an API key. API clients send the key
 * (x-api-key / Bearer); a browser logs in once with it and then carries a cookie. The cookie holds an
 * expiry and an HMAC of it under a secret made at start-up, never the key: restarting the gateway, or
 * changing the key, signs everyone out.
 */
export class DashboardAuth {
  private readonly secret = randomBytes(32);

  /**
   * `keyMatches` is the gateway's constant-time key check (security/api-key.ts), undefined when it has
   * no key; a sign-in lasts `sessionSeconds`.
   */
  constructor(
    private readonly keyMatches: ((presented: string | undefined) => boolean) | undefined,
    private readonly sessionSeconds = 12 * 60 * 60,
  ) {}

  /** Without a key (a loopback gateway by default) the dashboard is open. */
  get required(): boolean {
    return this.keyMatches !== undefined;
  }

  allows(request: IncomingMessage): boolean {
    if (this.keyMatches === undefined) return true;
    return this.keyMatches(presentedKey(request)) || this.validCookie(request.headers.cookie);
  }

  /**
   * The Set-Cookie value for a browser that presented the right key; undefined for a wrong one.
   * `secure` (the browser came over TLS) keeps the cookie off plain HTTP.
   */
  login(presented: string | undefined, secure = false, now = Date.now()): string | undefined {
    if (this.keyMatches === undefined || !this.keyMatches(presented)) return undefined;
    const expires = Math.floor(now / 1000) + this.sessionSeconds;
    const token = `${expires}.${this.sign(String(expires))}`;
    return sessionCookie(token, this.sessionSeconds, secure);
  }

  static logoutCookie(secure = false): string {
    return sessionCookie("", 0, secure);
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

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeSeconds)}`;
  return `${SESSION_COOKIE}=${value}; ${attributes}${secure ? "; Secure" : ""}`;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const [key, ...value] = pair.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}
