import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { CooldownState, SharedCooldowns } from "../routing/backend-cooldown.js";
import { CHANGES_CHANNEL, type ChangeListener, type PostgresChanges } from "./postgres-changes.js";

export interface SharedCooldownOptions {
  /** The backend's URL by its name: a row is one server, named alike by every replica. */
  urlOf: (backend: string) => string | undefined;
  /** How long a read stays fresh when no notification can drop it (not listening). */
  cacheMs?: number;
  changes?: PostgresChanges;
  onError?: (message: string) => void;
}

/**
 * Backend cooldowns in the shared store's `backend_cooldowns`, one row per backend (name and URL). A
 * failure is written through (the larger failure count and the later end win, so two replicas failing
 * at once do not shorten each other's cooldown); a success after failures deletes the row. Times left
 * are computed by the database's clock, so replicas on machines whose clocks differ agree. Reads are
 * cached: until another replica's write is announced (NOTIFY), or for `cacheMs` while not listening.
 */
export class PostgresCooldowns implements SharedCooldowns, ChangeListener {
  private readAt = Number.NEGATIVE_INFINITY;
  private stale = true;
  /** Writes in flight: a read waits for them, so it sees this replica's own last change. */
  private writing: Promise<unknown> = Promise.resolve();
  private readonly writer = randomUUID();
  private readonly cacheMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: SharedCooldownOptions,
  ) {
    this.cacheMs = options.cacheMs ?? 1_000;
    options.changes?.subscribe(this);
  }

  changed(payload: string): void {
    if (payload.startsWith("cooldown:") && !payload.startsWith(`cooldown:${this.writer}:`)) this.stale = true;
  }

  reset(): void {
    this.stale = true;
  }

  private fresh(): boolean {
    if (this.options.changes?.listening) return !this.stale;
    return Date.now() - this.readAt < this.cacheMs;
  }

  async load(): Promise<Map<string, CooldownState> | undefined> {
    if (this.fresh()) return undefined;
    this.stale = false;
    this.readAt = Date.now();
    try {
      await this.writing;
      const { rows } = await this.pool.query<{
        backend: string;
        url: string;
        failures: number;
        remaining: number;
        error: string;
      }>(
        `SELECT backend, url, failures, greatest(0, extract(epoch FROM until - now()) * 1000)::float8 AS remaining,
           last_error AS error FROM backend_cooldowns`,
      );
      const states = new Map<string, CooldownState>();
      for (const row of rows)
        if (this.options.urlOf(row.backend) === row.url)
          states.set(row.backend, { failures: row.failures, remainingMs: row.remaining, lastError: row.error });
      return states;
    } catch (error) {
      this.stale = true;
      this.report(`cannot read backend cooldowns: ${(error as Error).message}`);
      return undefined;
    }
  }

  failed(backend: string, state: CooldownState): void {
    const url = this.options.urlOf(backend);
    if (url === undefined) return;
    this.write(
      `WITH saved AS (
         INSERT INTO backend_cooldowns (backend, url, failures, until, last_error)
         VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond', $5)
         ON CONFLICT (backend, url) DO UPDATE SET failures = greatest(backend_cooldowns.failures, EXCLUDED.failures),
           until = greatest(backend_cooldowns.until, EXCLUDED.until), last_error = EXCLUDED.last_error
         RETURNING 1)
       SELECT pg_notify('${CHANGES_CHANNEL}', $6) FROM saved`,
      [backend, url, state.failures, state.remainingMs, state.lastError, this.payload(backend)],
      `cannot share ${backend}'s cooldown`,
    );
  }

  recovered(backend: string): void {
    const url = this.options.urlOf(backend);
    if (url === undefined) return;
    this.write(
      `WITH gone AS (DELETE FROM backend_cooldowns WHERE backend = $1 AND url = $2 RETURNING 1)
       SELECT pg_notify('${CHANGES_CHANNEL}', $3) FROM gone`,
      [backend, url, this.payload(backend)],
      `cannot share ${backend}'s recovery`,
    );
  }

  /** Resolves once the writes made so far are done (tests). */
  settled(): Promise<unknown> {
    return this.writing;
  }

  private payload(backend: string): string {
    return `cooldown:${this.writer}:${backend}`;
  }

  private write(sql: string, values: unknown[], failure: string): void {
    this.writing = this.writing
      .then(() => this.pool.query(sql, values))
      .catch((error: Error) => this.report(`${failure}: ${error.message}`));
  }

  private report(message: string): void {
    (this.options.onError ?? ((text) => process.stderr.write(`switchyard cooldowns: ${text}\n`)))(message);
  }
}
