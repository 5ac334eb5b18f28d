import type { IncomingMessage } from "node:http";
import { SwitchyardError } from "../core/errors.js";

/**
 * Whether a request may come from the browser origin it names. No `Origin` (agents, curl, same-origin
 * GETs) is allowed; so is the gateway's own origin (the dashboard's sign-in form) and each origin the
 * user named in `gateway.corsOrigins`. Anything else is a page on another site: a fetch with
 * `text/plain` is a CORS "simple request" that reaches the server without a preflight, so refusing
 * only the preflight (or leaving out CORS headers, which only hides the answer) does not stop it.
 */
export function originAllowed(request: IncomingMessage, corsOrigins: readonly string[] | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins?.includes(origin)) return true;
  // "null" (sandboxed frames, file: pages) never matches: it is not a URL.
  if (!URL.canParse(origin)) return false;
  const parsed = new URL(origin);
  return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.host === request.headers.host;
}

/** Throws a 403 for a request from a browser origin that is neither the gateway's nor a configured one. */
export function assertOriginAllowed(request: IncomingMessage, corsOrigins: readonly string[] | undefined): void {
  if (originAllowed(request, corsOrigins)) return;
  throw new SwitchyardError(
    `cross-origin requests from ${request.headers.origin} are refused; name the origin in gateway.corsOrigins to allow it`,
    { kind: "permission", code: "origin_refused" },
  );
}
