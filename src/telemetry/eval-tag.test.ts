import { describe, expect, it } from "vitest";
import { evalTagFromHeaders, readEvalTag, withEvalTag } from "./eval-tag.js";

describe("eval tags", () => {
  it("takes the run and task headers, trimmed, and nothing that is not short printable ASCII", () => {
    expect(evalTagFromHeaders({ "x-switchyard-eval-run": " run-1 ", "x-switchyard-eval-task": "py-roman" })).toEqual({
      run: "run-1",
      task: "py-roman",
    });
    expect(evalTagFromHeaders({ "x-switchyard-eval-run": "run-1" })).toEqual({ run: "run-1", task: "" });
    expect(evalTagFromHeaders({ "x-switchyard-eval-task": "py-roman" })).toBeUndefined();
    expect(evalTagFromHeaders({ "x-switchyard-eval-run": "a\u0000b" })).toBeUndefined();
    expect(evalTagFromHeaders({ "x-switchyard-eval-run": "r".repeat(201) })).toBeUndefined();
  });

  it("reads a stored tag defensively, as JSON text or an object, and leaves no null on a summary", () => {
    expect(readEvalTag('{"run":"r","task":"t"}')).toEqual({ run: "r", task: "t" });
    expect(readEvalTag({ run: "r", task: 3 })).toEqual({ run: "r", task: "" });
    expect(readEvalTag({ run: 5 })).toBeUndefined();
    expect(readEvalTag("not json")).toBeUndefined();
    expect(withEvalTag({ sessionId: "s", evalTag: null })).toEqual({ sessionId: "s" });
    expect(withEvalTag({ sessionId: "s", evalTag: '{"run":"r","task":"t"}' })).toEqual({
      sessionId: "s",
      evalTag: { run: "r", task: "t" },
    });
  });
});
