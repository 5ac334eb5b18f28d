/**
 * The last `kept` measurements of a speed, and the slowest of them: what a rule that must not be caught
 * out by a busy machine or a cold cache goes by (the prefill deadline, the slot copy's cost).
 */
export class SlowestRecent {
  private readonly values: number[] = [];

  constructor(private readonly kept: number) {}

  add(value: number): void {
    this.values.push(value);
    if (this.values.length > this.kept) this.values.shift();
  }

  /** The slowest kept, or undefined before the first measurement. */
  slowest(): number | undefined {
    return this.values.length === 0 ? undefined : Math.min(...this.values);
  }
}
