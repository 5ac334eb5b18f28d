import { describe, expect, it } from "vitest";
import { type CanonicalEvent, emptyUsage } from "../core/canonical.js";
import { ASSUMED_PREFILL_TOKENS_PER_SECOND, measuringPrefill, PrefillDeadline } from "./prefill-deadline.js";

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
