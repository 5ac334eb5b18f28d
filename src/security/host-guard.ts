import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { SwitchyardError } from "../core/errors.js";

/** Host headers judged before; a client sending endless different ones only clears it. */
const judged = new Map<string, boolean>();
const JUDGED_HOSTS = 64;

/**
 * Without an API key the gateway is open to whoever can reach it, which on loopback means this machine,
 * unless a web page uses DNS rebinding: its own domain name, re-pointed at 127.0.0.1, makes the page
 * same-origin with the gateway, so its scripts could call the API and read the answers (turn records
 * hold prompt excerpts). Such requests carry that domain in `Host`, so an open gateway answers only to
 * IP literals and `localhost` names.
 */
export function hostAllowedWithoutKey(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  // Every request of an agent carries the same Host: judged once (parsing it as a URL costs more than
  // the rest of the guards together).
  let allowed = judged.get(hostHeader);
  if (allowed === undefined) {
    allowed = judgeHost(hostHeader);
    if (judged.size >= JUDGED_HOSTS) judged.clear();
    judged.set(hostHeader, allowed);
  }
  return allowed;
}

function judgeHost(hostHeader: string): boolean {
  if (!URL.canParse(`http://${hostHeader}`)) return false;
  const hostname = new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, "$1");
  return hostname === "localhost" || hostname.endsWith(".localhost") || isIP(hostname) !== 0;
}

/** Throws a 403 for a keyless gateway reached under a name other than localhost or an IP address. */
export function assertHostAllowed(request: IncomingMessage): void {
  if (hostAllowedWithoutKey(request.headers.host)) return;
  throw new SwitchyardError(
    `without an API key Switchyard answers only at localhost or an IP address, not at ${request.headers.host ?? "(no Host)"}; set gateway.apiKey (switchyard key makes one) to serve it under a name`,
    { kind: "permission", code: "host_refused" },
  );
}
