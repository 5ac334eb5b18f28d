import { isIP } from "node:net";

/** Shortest key accepted when listening beyond loopback: 32 characters of `switchyard key` are 192 random bits. */
export const MIN_REMOTE_KEY_LENGTH = 32;

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/**
 * Refuses to listen beyond loopback without a strong API key: anyone on the network could otherwise
 * use the local model and, through the cloud backends, the user's keys. The message names the fix.
 */
export function assertSafeToListen(host: string, apiKey: string | undefined): void {
  if (isLoopbackHost(host)) return;
  if (!apiKey) {
    throw new Error(
      `refusing to listen on ${host} without an API key: anyone who can reach this address could use your backends. ` +
        "Set SWITCHYARD_API_KEY (or gateway.apiKey in the config) to a secret clients must send (`switchyard key` makes one), or listen on 127.0.0.1.",
    );
  }
  if (apiKey.length < MIN_REMOTE_KEY_LENGTH) {
    throw new Error(
      `refusing to listen on ${host} with an API key of ${apiKey.length} characters: beyond loopback it must have at least ${MIN_REMOTE_KEY_LENGTH}. ` +
        "Run `switchyard key` to make one, and set it as SWITCHYARD_API_KEY (or gateway.apiKey in the config).",
    );
  }
}
