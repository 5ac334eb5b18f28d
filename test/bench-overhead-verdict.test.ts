import { describe, expect, it } from "vitest";
import { acceptance, summarizeRun, type Timing } from "../bench/support/overhead-summary.js";
import { seededRandom } from "../src/bench/statistics.js";

/**
 * 60 rounds: direct takes ~7 ms, the relay adds 1.5 ms, Switchyard `above` more, give or take up to
 * `jitter` ms (spread evenly over the rounds, so the paired median is `above`).
 */
function run(above: number, jitter: number) {
  const random = seededRandom(7);
  const rounds = Array.from({ length: 60 }, () => 7 + random());
  const noise = (round: number) => (((round * 37) % 60) / 59 - 0.5) * 2 * jitter;
  const timing = (ms: number): Timing => ({ ttfbMs: ms, totalMs: ms + 160 });
  const check = acceptance(
    summarizeRun(
      "loopback replay",
      "one-message",
      100,
      {
        direct: rounds.map((ms) => timing(ms)),
        "bare relay": rounds.map((ms) => timing(ms + 1.5)),
        switchyard: rounds.map((ms, round) => timing(ms + 1.5 + above + noise(round))),
      },
      {},
    ),
  );
  if (!check) throw new Error("no limit for the one-message request");
  return check;
}

describe("bench:overhead's verdict", () => {
  it("is given only for the requests issue 16 sets a limit for", () => {
    const measured = (request: "claude-code" | "long-session") =>
      acceptance(summarizeRun("loopback replay", request, 100, { direct: [], "bare relay": [], switchyard: [] }, {}));
    expect(measured("claude-code")).toMatchObject({ limitMs: 1.0 });
    expect(measured("long-session")).toBeUndefined();
  });

  it("is settled when the paired interval lies on its side of the limit", () => {
    expect(run(0.2, 0.05)).toMatchObject({ limitMs: 0.5, pass: true, settled: true });
    expect(run(1.5, 0.05)).toMatchObject({ pass: false, settled: true });
  });

  it("says unsettled when the interval straddles the limit, whichever way the median fell", () => {
    const straddling = run(0.45, 3);
    expect(straddling.pass).toBe(true);
    expect(straddling.aboveRelayIntervalMs[0]).toBeLessThan(0.5);
    expect(straddling.aboveRelayIntervalMs[1]).toBeGreaterThan(0.5);
    expect(straddling.settled).toBe(false);
    expect(run(0.55, 3)).toMatchObject({ pass: false, settled: false });
  });
});
