import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadUserRule, type RuleInput, runUserRule } from "./user-rule.js";

const input: RuleInput = {
  request: {
    model: "sonnet",
    sessionId: "s",
    lane: "main",
    laneKind: "main",
    messages: 3,
    tools: 2,
    maxTokens: 100,
    estimatedTokens: 70_000,
  },
  signals: {
    trailingToolErrors: 0,
    repeatedToolCalls: 0,
    repeatedToolName: undefined,
    marker: undefined,
    header: undefined,
  },
  session: undefined,
  backends: [
    { name: "local", local: true },
    { name: "cloud", local: false },
  ],
};
const names = ["local", "cloud"];

function ruleFile(source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "switchyard-rule-")), "rule.mjs");
  writeFileSync(path, source);
  return path;
}

describe("user routing rules", () => {
  it("loads a module's default export and passes its decision on", async () => {
    const rule = await loadUserRule(
      ruleFile(
        "export default ({ request }) => request.estimatedTokens > 50000 ? { backend: 'cloud', reason: 'big' } : undefined;",
      ),
    );
    expect(await runUserRule(rule, input, 50, names)).toEqual({
      kind: "decision",
      decision: { backend: "cloud", reason: "big" },
    });
    const small = { ...input, request: { ...input.request, estimatedTokens: 10 } };
    expect(await runUserRule(rule, small, 50, names)).toEqual({ kind: "none" });
  });

  it("accepts a session mode, sync or async", async () => {
    expect(await runUserRule(async () => ({ mode: "cloud" }), input, 50, names)).toEqual({
      kind: "decision",
      decision: { mode: "cloud", reason: undefined },
    });
  });

  it("fails open, saying why, when the rule throws, times out or returns garbage", async () => {
    const throws = await runUserRule(
      () => {
        throw new Error("boom");
      },
      input,
      50,
      names,
    );
    expect(throws).toEqual({ kind: "failed", error: "threw: boom" });
    expect(await runUserRule(() => Promise.reject(new Error("late boom")), input, 50, names)).toEqual({
      kind: "failed",
      error: "threw: late boom",
    });
    expect(await runUserRule(() => new Promise(() => {}), input, 20, names)).toEqual({
      kind: "failed",
      error: "no answer within 20 ms",
    });
    const garbage = await runUserRule(() => ({ route: "moon" }) as never, input, 50, names);
    expect(garbage.kind).toBe("failed");
    expect(await runUserRule(() => ({ backend: "nowhere" }), input, 50, names)).toEqual({
      kind: "failed",
      error: "named no configured backend: nowhere",
    });
    expect((await runUserRule(() => 42 as never, input, 50, names)).kind).toBe("failed");
  });

  it("refuses a module without a default-exported function", async () => {
    await expect(loadUserRule(ruleFile("export const rule = 1;"))).rejects.toThrow(/no default-exported function/);
  });
});
