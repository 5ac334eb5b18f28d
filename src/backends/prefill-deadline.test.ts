import { setImmediate as nextImmediate } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { type CanonicalEvent, emptyUsage } from "../core/canonical.js";
import { SwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";
import {
  ASSUMED_PREFILL_TOKENS_PER_SECOND,
  type DeadlineTimers,
  measuringPrefill,
  PrefillDeadline,
  type UpstreamAbort,
} from "./prefill-deadline.js";

const done = (prefilled: number, promptMs: number) =>
  ({
    type: "done",
    stopReason: { unified: "end_turn", raw: "stop" },
    usage: { ...emptyUsage(), inputTokens: prefilled },
    timings: { promptMs },
  }) as const;

describe("PrefillDeadline", () => {
  it("is the floor for short prompts and twice the expected prefill for long ones", () => {
    const deadline = new PrefillDeadline(600_000);
    expect(deadline.deadlineMs(3_000)).toBe(600_000);
    // 270,000 bytes ≈ 90,000 tokens at the assumed 50 tokens/s: 1,800 s, twice that.
    expect(ASSUMED_PREFILL_TOKENS_PER_SECOND).toBe(50);
    expect(deadline.deadlineMs(270_000)).toBe(3_600_000);
  });

  it("uses the slowest measured speed, ignoring tiny prompts", () => {
    const deadline = new PrefillDeadline(60_000);
    deadline.observe(done(10, 1)); // 10,000 tokens/s on 10 tokens: overhead, not prefill
    expect(deadline.tokensPerSecond()).toEqual({ value: 50, measured: false });
    deadline.observe(done(20_000, 20_000)); // 1,000 tokens/s
    deadline.observe(done(10_000, 20_000)); // 500 tokens/s
    expect(deadline.tokensPerSecond()).toEqual({ value: 500, measured: true });
    // 90,000 tokens at 500 tokens/s is 180 s; twice that.
    expect(deadline.deadlineMs(270_000)).toBe(360_000);
  });
});

describe("PrefillDeadline.run", () => {
  /** A request that never answers until its abort fires, then fails as undici does; and timers fired by hand. */
  const start = (abortAt: "before" | "at once" | "after it is sent" | "after the headers" | "never") => {
    const caller = new AbortController();
    if (abortAt === "before") caller.abort(new Error("client gone"));
    const timers: Array<() => void> = [];
    const manual: DeadlineTimers = { set: (callback) => timers.push(callback), clear: () => undefined };
    let upstream: UpstreamAbort | undefined;
    const facts: TurnFacts = {};
    let answer: (headers: string) => void = () => {};
    const answered = new Promise<string>((resolve) => {
      answer = resolve;
    });
    const result = new PrefillDeadline(60_000, manual).run(300, caller.signal, "box", facts, (signal) => {
      upstream = signal;
      return Promise.race([
        answered,
        new Promise<never>((_, reject) => {
          // As undici: an abort already fired fails the request at once.
          if (signal.aborted) reject(new Error("request aborted"));
          signal.on("abort", () => reject(new Error("request aborted")));
        }),
      ]);
    });
    // Handled from the start: a run that fails before the test looks at it is not an unhandled rejection.
    const outcome: Promise<{ value?: string; error?: unknown }> = result.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { caller, timers, upstream: () => upstream, facts, answer, outcome };
  };

  it("ends the upstream request when the caller aborts, before or after the deadline is armed", async () => {
    for (const abortAt of ["before", "at once", "after it is sent"] as const) {
      const run = start(abortAt);
      if (abortAt === "at once") run.caller.abort(new Error("client gone"));
      if (abortAt === "after it is sent") {
        await nextImmediate();
        run.caller.abort(new Error("client gone"));
      }
      // Both immediates (undici's write, the arming) have run: a failure shows here, not as a hang.
      await nextImmediate();
      await nextImmediate();
      expect(run.upstream()?.aborted, abortAt).toBe(true);
      expect((await run.outcome).error, abortAt).toMatchObject({ message: "request aborted" });
    }
  });

  it("keeps the answer's body under the caller's signal once the headers came", async () => {
    const run = start("after the headers");
    run.answer("headers");
    expect(await run.outcome).toEqual({ value: "headers" });
    expect(run.upstream()?.aborted).toBe(false);
    run.caller.abort(new Error("client gone"));
    expect(run.upstream()?.aborted).toBe(true);
  });

  it("fails with prefill_timeout when the deadline passes, naming how it was reached", async () => {
    const run = start("never");
    await nextImmediate();
    expect(run.facts.prefillDeadlineMs).toBe(60_000);
    expect(run.timers).toHaveLength(1);
    run.timers[0]?.();
    const { error } = await run.outcome;
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: "prefill_timeout" });
    expect((error as Error).message).toContain("box sent no response headers within 60 s");
  });
});

describe("measuringPrefill's end", () => {
  const start: CanonicalEvent = { type: "message_start", id: "msg_1", model: "m", usage: emptyUsage() };
  const ends = async (read: (events: AsyncIterableIterator<CanonicalEvent>) => Promise<unknown>, fails = false) => {
    let ended = 0;
    async function* backend() {
      yield start;
      if (fails) throw new Error("stream broke");
      yield start;
    }
    const events = measuringPrefill(backend(), new PrefillDeadline(1_000), () => ended++);
    await read(events).catch(() => undefined);
    const afterRead = ended;
    // Read past the end, as a reader may: still once.
    await events.next().catch(() => undefined);
    return afterRead === ended ? ended : `${afterRead} then ${ended}`;
  };

  it("runs once when the events end, fail, or the reader stops", async () => {
    expect(
      await ends(async (events) => {
        for await (const _ of events);
      }),
    ).toBe(1);
    expect(
      await ends(async (events) => {
        for await (const _ of events);
      }, true),
    ).toBe(1);
    expect(
      await ends(async (events) => {
        for await (const _ of events) break;
      }),
    ).toBe(1);
    expect(await ends(async (events) => events.next())).toBe(0);
    expect(await ends(async (events) => events.next().then(() => events.next()), true)).toBe(1);
  });
});
