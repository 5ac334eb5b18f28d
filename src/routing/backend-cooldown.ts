/** A backend's cooldown as it is shared: failures in a row, the time left, the last error. */
export interface CooldownState {
  failures: number;
  remainingMs: number;
  lastError: string;
}

/**
 * Cooldowns kept where every replica of a team's gateway sees them (src/store/postgres-cooldowns.ts),
 * so a backend that failed on one replica is left alone by the others too. A store that cannot be
 * reached leaves each replica with what it knows: it never fails a request.
 */
export interface SharedCooldowns {
  /** Every shared cooldown, or undefined when what was read last is still fresh (a short local cache). */
  load(): Promise<Map<string, CooldownState> | undefined>;
  failed(backend: string, state: CooldownState): void;
  recovered(backend: string): void;
  /** Resolves once the writes made so far are done (or failed). */
  settled(): Promise<unknown>;
}

/**
 * Which backends failed recently and until when to leave them alone. Each failure in a row doubles
 * the cooldown (from `baseMs` up to `maxMs`); a success forgets the failures. Kept apart from backend
 * health probes so the two can be joined without either owning the other. Reads are synchronous, from
 * this process's map; with `share`, `refresh` brings the map up to the shared store's and every change
 * is written through to it.
 */
export class BackendCooldowns {
  private readonly failures = new Map<string, { count: number; until: number; lastError: string }>();
  private shared: SharedCooldowns | undefined;
  /** Counts local changes: a refresh leaves alone a backend changed here since its read began. */
  private changes = 0;
  private readonly changedAt = new Map<string, number>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shares the cooldowns with the other replicas of a team's gateway. */
  share(shared: SharedCooldowns): void {
    this.shared = shared;
  }

  /** Takes the shared cooldowns (when the local copy is due for a read): the store's view wins. */
  async refresh(): Promise<void> {
    const startedAt = this.changes;
    const states = await this.shared?.load();
    if (!states) return;
    const now = this.now();
    const changedSince = (backend: string) => (this.changedAt.get(backend) ?? -1) >= startedAt;
    for (const backend of this.failures.keys())
      if (!states.has(backend) && !changedSince(backend)) this.failures.delete(backend);
    for (const [backend, state] of states) {
      if (changedSince(backend)) continue;
      this.failures.set(backend, { count: state.failures, until: now + state.remainingMs, lastError: state.lastError });
    }
  }

  /** Records a failure; returns the cooldown it started, in ms. */
  fail(backend: string, error: string): number {
    const count = (this.failures.get(backend)?.count ?? 0) + 1;
    const cooldownMs = Math.min(this.maxMs, this.baseMs * 2 ** (count - 1));
    this.failures.set(backend, { count, until: this.now() + cooldownMs, lastError: error });
    this.changedAt.set(backend, this.changes++);
    this.shared?.failed(backend, { failures: count, remainingMs: cooldownMs, lastError: error });
    return cooldownMs;
  }

  succeed(backend: string): void {
    // Only a backend that had failures is written: a success on a healthy backend costs nothing.
    if (!this.failures.delete(backend)) return;
    this.changedAt.set(backend, this.changes++);
    this.shared?.recovered(backend);
  }

  /** Resolves once this replica's changes so far are in the shared store (at once when not shared). */
  settled(): Promise<unknown> {
    return this.shared?.settled() ?? Promise.resolve();
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
