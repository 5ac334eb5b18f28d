import { describe, expect, it } from "vitest";
import { SessionTable } from "../sessions/session-table.js";
import { routingConfigSchema } from "./routing-config.js";
import { SessionPolicy } from "./session-policy.js";
import type { RequestSignals } from "./session-signals.js";

const quiet: RequestSignals = {
  trailingToolErrors: 0,
  repeatedToolCalls: 0,
  repeatedToolName: undefined,
  marker: undefined,
  header: undefined,
};
const escalation = (overrides: Record<string, unknown> = {}) =>
  routingConfigSchema.parse({ escalation: overrides }).escalation;

describe("session policy", () => {
  it("escalates after N failed tool results in a row (N configurable), and stays there", () => {
    for (const threshold of [2, 3]) {
      const policy = new SessionPolicy(escalation({ toolErrors: threshold }), new SessionTable());
      expect(policy.decide("s", "main", quiet)).toMatchObject({ mode: "auto", rule: "default", sticky: false });
      for (let errors = 1; errors < threshold; errors++)
        expect(policy.decide("s", "main", { ...quiet, trailingToolErrors: errors })).toMatchObject({
          mode: "auto",
          sticky: true,
        });
      expect(policy.decide("s", "main", { ...quiet, trailingToolErrors: threshold })).toMatchObject({
        mode: "cloud",
        rule: "tool-errors",
        sticky: false,
      });
      expect(policy.decide("s", "main", quiet)).toMatchObject({ mode: "cloud", rule: "tool-errors", sticky: true });
      expect(policy.decide("other", "main", quiet).mode).toBe("auto");
    }
  });

  it("escalates on a repeated tool call and on the previous local turn's failure", () => {
    const policy = new SessionPolicy(escalation(), new SessionTable());
    expect(policy.decide("r", "main", { ...quiet, repeatedToolCalls: 3, repeatedToolName: "Bash" })).toMatchObject({
      mode: "cloud",
      rule: "repeated-tool-call",
    });
    policy.decide("m", "main", quiet);
    policy.observe("m", { local: true, laneKind: "main", failure: "max_tokens" });
    // A title request in between neither escalates nor consumes the failure.
    expect(policy.decide("m", "side", quiet).mode).toBe("auto");
    expect(policy.decide("m", "main", quiet)).toMatchObject({ mode: "cloud", rule: "max-tokens", sticky: false });
    const off = new SessionPolicy(escalation({ onBadToolOutput: false }), new SessionTable());
    off.decide("b", "main", quiet);
    off.observe("b", { local: true, laneKind: "main", failure: "bad_tool_output" });
    expect(off.decide("b", "main", quiet).mode).toBe("auto");
  });

  it("de-escalates after M main-lane turns in the cloud, or on request", () => {
    const policy = new SessionPolicy(escalation({ deescalateAfterTurns: 2 }), new SessionTable());
    policy.decide("s", "main", { ...quiet, trailingToolErrors: 2 });
    expect(policy.decide("s", "side", quiet).mode).toBe("cloud");
    expect(policy.decide("s", "main", quiet).mode).toBe("cloud");
    expect(policy.decide("s", "main", quiet)).toMatchObject({ mode: "auto", rule: "deescalate-turns", sticky: false });
    policy.decide("s", "main", { ...quiet, trailingToolErrors: 2 });
    expect(policy.decide("s", "main", { ...quiet, marker: "local" })).toMatchObject({ mode: "local", rule: "marker" });
  });

  it("keeps an explicit choice until another explicit one, signals notwithstanding", () => {
    const policy = new SessionPolicy(escalation({ deescalateAfterTurns: 1 }), new SessionTable());
    expect(policy.decide("s", "main", { ...quiet, header: "cloud" })).toMatchObject({ mode: "cloud", rule: "header" });
    expect(policy.decide("s", "main", quiet).mode).toBe("cloud");
    expect(policy.decide("s", "main", quiet).mode).toBe("cloud");
    expect(policy.decide("s", "main", { ...quiet, marker: "local" }).mode).toBe("local");
    expect(policy.decide("s", "main", { ...quiet, trailingToolErrors: 5 }).mode).toBe("local");
  });

  it("forgets the least recent sessions beyond the session table's capacity", () => {
    const policy = new SessionPolicy(escalation(), new SessionTable(2));
    policy.decide("a", "main", { ...quiet, header: "cloud" });
    policy.decide("b", "main", quiet);
    policy.decide("c", "main", quiet);
    expect(policy.state("a")).toBeUndefined();
    expect(policy.state("c")?.mode).toBe("auto");
  });
});
