/**
 * Which backends failed recently and until when to leave them alone. Each failure in a row doubles
 * the cooldown (from `baseMs` up to `maxMs`); a success forgets the failures. Kept apart from backend
 * health probes so the two can be joined without either owning the other.
 */
export class BackendCooldowns {
  private readonly failures = new Map<string, { count: number; until: number; lastError: string }>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failure; returns the cooldown it started, in ms. */
  fail(backend: string, error: string): number {
    const count = (this.failures.get(backend)?.count ?? 0) + 1;
    const cooldownMs = Math.min(this.maxMs, this.baseMs * 2 ** (count - 1));
    this.failures.set(backend, { count, until: this.now() + cooldownMs, lastError: error });
    return cooldownMs;
  }

  succeed(backend: string): void {
    this.failures.delete(backend);
  }

  /** Milliseconds left in the backend's cooldown, 0 when it may be tried. */
  remainingMs(backend: string): number {
    const entry = this.failures.get(backend);
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  /** Failures in a row and the last error, for records and status pages. */
  describe(backend: string): { failures: number; lastError: string } | undefined {
    const entry = this.failures.get(backend);
    return entry ? { failures: entry.count, lastError: entry.lastError } : undefined;
  }
}
