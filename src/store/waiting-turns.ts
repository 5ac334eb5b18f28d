import type { TurnRecord } from "../telemetry/turn-record.js";
import { FailureStreak } from "../util/failure-streak.js";

/** Records kept in memory while the database refuses writes (disk full, locked, down), before the oldest go. */
export const MAX_QUEUED = 50_000;

/**
 * A store's turns waiting for their commit, with what it says when the database refuses them: once
 * when the refusals begin and once when a write works again (with how many did not fit in memory).
 */
export class WaitingTurns {
  private turns: TurnRecord[] = [];
  /** Turns dropped from a full queue since writing last worked. */
  private dropped = 0;
  private readonly failures: FailureStreak;

  constructor(
    /** Where the store is, as its messages name it. */
    private readonly where: string,
    private readonly retryMs: number,
    say: (message: string) => void,
  ) {
    this.failures = new FailureStreak(say);
  }

  get length(): number {
    return this.turns.length;
  }

  /** The database refused the last batch, and has not taken one since. */
  get failing(): boolean {
    return this.failures.failing;
  }

  push(turn: TurnRecord): void {
    this.turns.push(turn);
    this.trim();
  }

  /** Every turn waiting, leaving none. */
  take(): TurnRecord[] {
    const batch = this.turns;
    this.turns = [];
    return batch;
  }

  /** `batch` is committed. */
  written(batch: readonly TurnRecord[]): void {
    this.failures.recovered(
      (attempts, seconds) =>
        `wrote the ${batch.length} turn(s) kept while ${this.where} could not be written (${seconds} s, ${attempts} failed attempt(s))${this.dropped > 0 ? `; ${this.dropped} older turn(s) did not fit in memory and are lost` : ""}`,
    );
    this.dropped = 0;
  }

  /** The database refused `batch`: it goes back in front of the turns that came since. */
  refused(batch: TurnRecord[], error: Error): void {
    this.failures.failed(
      `cannot write ${batch.length} turn(s) to ${this.where}: ${error.message}; keeping up to ${MAX_QUEUED} in memory and trying again every ${this.retryMs / 1000} s (said again once it works)`,
    );
    this.turns = batch.concat(this.turns);
    this.trim();
  }

  private trim(): void {
    const over = this.turns.length - MAX_QUEUED;
    if (over <= 0) return;
    this.turns = this.turns.slice(over);
    this.dropped += over;
  }
}
