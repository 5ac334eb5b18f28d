/**
 * A failure that repeats until something outside changes (a full disk, a database that is down), said
 * once when it begins and once when it ends instead of at every attempt in between: on a full disk the
 * turn store and the turns file each failed once per turn, two lines per request in `serve`'s output.
 */
export class FailureStreak {
  private began: number | undefined;
  private attempts = 0;

  constructor(private readonly say: (message: string) => void) {}

  get failing(): boolean {
    return this.began !== undefined;
  }

  /** One more failed attempt; `message` is said only for the first of a streak. */
  failed(message: string): void {
    this.attempts++;
    if (this.began !== undefined) return;
    this.began = Date.now();
    this.say(message);
  }

  /** Ends the streak, if there is one, saying what `message` makes of its failed attempts and seconds. */
  recovered(message: (attempts: number, seconds: number) => string): void {
    if (this.began === undefined) return;
    this.say(message(this.attempts, Math.round((Date.now() - this.began) / 1000)));
    this.began = undefined;
    this.attempts = 0;
  }
}
