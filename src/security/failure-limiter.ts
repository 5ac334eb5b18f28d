export interface FailureLimiterOptions {
  /** Failures in a row allowed from one client before it must wait. */
  maxFailures?: number;
  /** The wait after `maxFailures`; it doubles with each further failure, up to `maxLockoutMs`. */
  lockoutMs?: number;
  maxLockoutMs?: number;
  /** Clients remembered at most (the oldest entry goes first), so spraying addresses cannot grow memory. */
  maxClients?: number;
  now?: () => number;
}

interface ClientFailures {
  count: number;
  lockedUntil: number;
}

/**
 * Counts failed attempts (sign-ins with a wrong key) per client address. After `maxFailures` in a row
 * the client is locked out for a while; a success clears its count. Guessing a 32-character key is
 * hopeless anyway; this keeps a short key typed into the config from being brute-forced through the
 * sign-in form, and keeps the attempts out of the logs' way.
 */
export class FailureLimiter {
  private readonly clients = new Map<string, ClientFailures>();
  private readonly maxFailures: number;
  private readonly lockoutMs: number;
  private readonly maxLockoutMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: FailureLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.lockoutMs = options.lockoutMs ?? 60_000;
    this.maxLockoutMs = options.maxLockoutMs ?? 60 * 60_000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds the client must still wait before its next attempt; 0 when it may try now. */
  waitSeconds(client: string): number {
    const lockedUntil = this.clients.get(client)?.lockedUntil ?? 0;
    return Math.max(0, Math.ceil((lockedUntil - this.now()) / 1000));
  }

  failed(client: string): void {
    const previous = this.clients.get(client) ?? { count: 0, lockedUntil: 0 };
    const count = previous.count + 1;
    const over = count - this.maxFailures;
    const lockedUntil =
      over >= 0 ? this.now() + Math.min(this.lockoutMs * 2 ** over, this.maxLockoutMs) : previous.lockedUntil;
    this.clients.delete(client);
    this.clients.set(client, { count, lockedUntil });
    if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
  }

  succeeded(client: string): void {
    this.clients.delete(client);
  }
}
