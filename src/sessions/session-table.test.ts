import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import { describeLane, type Lane, type LaneName } from "./lane.js";
import { LaneTracker } from "./lane-tracker.js";
import { SessionTable } from "./session-table.js";

const lane = (sessionId: string, name: LaneName = "main"): Lane => ({
  sessionId,
  name,
  kind: name === "main" || name === "side" ? name : "subagent",
});

describe("session table", () => {
  it("keeps at most its bound of sessions, forgetting the least recently used with all its lanes", () => {
    const table = new SessionTable(2);
    table.lane(lane("a")).ranOn = "gpu";
    table.lane(lane("a", "subagent:x")).ranOn = "gpu";
    table.session("b");
    // Using a lane makes its session the most recent; peeking does not.
    table.lane(lane("a", "side"));
    table.peek("b");
    table.session("c");
    expect(table.size).toBe(2);
    expect(table.peek("b")).toBeUndefined();
    expect(table.peekLane(lane("a"))?.ranOn).toBe("gpu");
    table.peekLane(lane("a"));
    table.session("d");
    expect(table.peek("a")).toBeUndefined();
    expect(table.peekLane(lane("a"))).toBeUndefined();
    expect(table.peekLane(lane("a", "subagent:x"))).toBeUndefined();
    // A forgotten session comes back empty.
    expect(table.lane(lane("a")).ranOn).toBeUndefined();
  });

  it("tells lanes of one session apart, and the same lane named by another object finds the same entry", () => {
    const table = new SessionTable();
    table.lane(lane("s", "subagent:x")).ranOn = "gpu";
    expect(table.peekLane(lane("s", "subagent:y"))).toBeUndefined();
    expect(table.peekLane({ sessionId: "s", name: "subagent:x", kind: "subagent" })?.ranOn).toBe("gpu");
  });

  it("keeps slot facts only for sessions it holds, reads a displacement once, and never refreshes a session", () => {
    const table = new SessionTable(2);
    const displaced = lane("a", "side");
    table.recordDisplacement(displaced, lane("x"));
    table.markSaved(displaced, "gpu");
    expect(table.peek("a")).toBeUndefined();
    table.session("a");
    table.session("b");
    table.recordDisplacement(displaced, lane("b", "subagent:k"));
    table.markSaved(displaced, "gpu");
    expect(table.isSaved(displaced, "gpu")).toBe(true);
    expect(table.isSaved(displaced, "other")).toBe(false);
    expect(table.takeDisplacement(displaced)).toEqual(lane("b", "subagent:k"));
    expect(table.takeDisplacement(displaced)).toBeUndefined();
    table.forgetSaved("gpu", (saved) => saved.name === "side");
    expect(table.isSaved(displaced, "gpu")).toBe(false);
    // None of that made `a` more recent than `b`.
    table.session("c");
    expect(table.peek("a")).toBeUndefined();
    expect(table.peek("b")).toBeDefined();
  });

  it("gives the miss analysis the lane's last turn, and who took its slot", () => {
    const table = new SessionTable();
    const tracker = new LaneTracker(table);
    const main = lane("s");
    const first = canonicalRequest({ messages: [{ role: "user", parts: [{ type: "text", text: "one" }] }] });
    const usage = { inputTokens: 100, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(tracker.analyze(main, first, "gpu", usage, {}).miss).toBeUndefined();
    expect(table.peekLane(main)?.lastTurn).toMatchObject({ promptTokens: 100, backend: "gpu" });
    const second = canonicalRequest({
      messages: [
        { role: "user", parts: [{ type: "text", text: "one" }] },
        { role: "assistant", parts: [{ type: "text", text: "two" }] },
        { role: "user", parts: [{ type: "text", text: "three" }] },
      ],
    });
    const analysis = tracker.analyze(main, second, "gpu", usage, {
      slot: 1,
      slotReassigned: true,
      displacedBy: describeLane(lane("t", "subagent:k")),
    });
    expect(analysis.expectedReuse).toBe(100);
    expect(analysis.miss?.reason).toBe("slot-reassigned");
    expect(analysis.miss?.explanation).toContain("taken by t/subagent:k");
  });

  it("does not expect the previous generation prompt when the client dropped the answer it began", () => {
    const tracker = new LaneTracker(new SessionTable());
    const main = lane("s");
    const user = (text: string) => ({ role: "user" as const, parts: [{ type: "text" as const, text }] });
    const usage = (reused: number) => ({
      inputTokens: 50,
      outputTokens: 1,
      cacheReadTokens: reused,
      cacheWriteTokens: 0,
    });
    tracker.analyze(main, canonicalRequest({ messages: [user("Run the tool")] }), "gpu", usage(0), {});
    // Codex compacted: the answer (a tool call and its output) is gone, a summary follows as a user message.
    // The prompt repeats the previous one but for its generation prompt (Qwen3.5's: 5 tokens).
    const compacted = canonicalRequest({ messages: [user("Run the tool"), user("Here is the summary")] });
    const analysis = tracker.analyze(main, compacted, "gpu", usage(45), {});
    expect(analysis.expectedReuse).toBe(42);
    expect(analysis.miss).toBeUndefined();
    // The same request again (a retry) repeats the whole previous prompt (50 + 45), generation prompt included.
    expect(tracker.analyze(main, compacted, "gpu", usage(95), {}).expectedReuse).toBe(95);
  });

  it("explains a miss by the server behind the backend having been started again as something else", () => {
    const tracker = new LaneTracker(new SessionTable());
    const main = lane("s");
    const turn = (texts: string[]) =>
      canonicalRequest({
        messages: texts.map((text, index) => ({
          role: index % 2 ? ("assistant" as const) : ("user" as const),
          parts: [{ type: "text" as const, text }],
        })),
      });
    const usage = { inputTokens: 100, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const before = { id: "a", described: "m.gguf with 4 slot(s) and a 2048-token context" };
    const after = { id: "b", described: "m.gguf with 1 slot(s) and a 4096-token context" };
    tracker.analyze(main, turn(["one"]), "gpu", usage, { server: before });
    const restarted = tracker.analyze(main, turn(["one", "two", "three"]), "gpu", usage, { server: after });
    expect(restarted.expectedReuse).toBe(0);
    expect(restarted.miss?.reason).toBe("backend-changed");
    expect(restarted.miss?.explanation).toBe(
      "the server behind gpu was started again as m.gguf with 1 slot(s) and a 4096-token context since this lane's last turn; its cache holds none of the lane's prompt",
    );
    // The same server on the next turn: judged as usual.
    const next = tracker.analyze(main, turn(["one", "two", "three", "four", "five"]), "gpu", usage, { server: after });
    expect(next.miss?.reason).toBe("prefix-not-reused");
    // The same server, its cache seen emptied since (it slept): said so.
    const slept = { ...after, id: "b~1", emptied: "slept (--sleep-idle-seconds)" };
    const woke = tracker.analyze(main, turn(["one", "two", "three", "four", "five", "six", "seven"]), "gpu", usage, {
      server: slept,
    });
    expect(woke.miss).toEqual({
      reason: "cache-emptied",
      explanation:
        "the server behind gpu slept (--sleep-idle-seconds) since this lane's last turn, which emptied its cache of the lane's prompt",
    });
    // Seen emptied again only after the lane's cache was filled again: the turn reused its prompt, no miss.
    const late = { ...after, id: "b~2", emptied: "was started again (same model and flags)" };
    const reused = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 100, cacheWriteTokens: 0 };
    const eight = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    expect(tracker.analyze(main, turn(eight), "gpu", reused, { server: late }).miss).toBeUndefined();
  });
});
