import { isIP } from "node:net";

/**
 * Without an API key the dashboard is open to whoever can reach it, which on loopback means this
 * machine, unless a web page uses DNS rebinding: its own domain name, re-pointed at 127.0.0.1, lets its
 * scripts read the dashboard (prompt excerpts included). Such requests carry that domain in `Host`, so
 * an open dashboard answers only to IP literals and `localhost`.
 */
export function hostAllowedWithoutKey(hostHeader: string | undefined): boolean {
  if (!hostHeader || !URL.canParse(`http://${hostHeader}`)) return false;
  const hostname = new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, "$1");
  return hostname === "localhost" || hostname.endsWith(".localhost") || isIP(hostname) !== 0;
}
