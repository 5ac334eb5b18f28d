import { isIP } from "node:net";

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/**
 * Refuses to listen beyond loopback without an API key: anyone on the network could otherwise use the
 * local model and, through the cloud backends, the user's keys. The message names the fix.
 */
export function assertSafeToListen(host: string, apiKey: string | undefined): void {
  if (isLoopbackHost(host) || apiKey) return;
  throw new Error(
    `refusing to listen on ${host} without an API key: anyone who can reach this address could use your backends. ` +
      "Set SWITCHYARD_API_KEY (or gateway.apiKey in the config) to a secret clients must send, or listen on 127.0.0.1.",
  );
}
