import { describe, expect, it } from "vitest";
import { turnRecord } from "../../test/support/turn-records.js";
import { recordedPauses, storedSessionRequests } from "./stored-sessions.js";

const at = (seconds: number) => new Date(Date.parse("2026-12-01T10:00:00.000Z") + seconds * 1000).toISOString();

describe("stored sessions replayed by their shape", () => {
  const turns = [
    turnRecord({
      id: "1",
      sessionId: "s",
      lane: "main",
      startedAt: at(0),
      durationMs: 2000,
      promptTokens: 1000,
      outputTokens: 50,
    }),
    // A side request while the main lane's answer was still streaming: no pause.
    turnRecord({
      id: "2",
      sessionId: "s",
      lane: "side",
      startedAt: at(1),
      durationMs: 500,
      promptTokens: 300,
      outputTokens: 5,
    }),
    turnRecord({
      id: "3",
      sessionId: "s",
      lane: "main",
      startedAt: at(12),
      durationMs: 1000,
      promptTokens: 1400,
      outputTokens: 20,
      expectedReuse: 1000,
    }),
    turnRecord({
      id: "x",
      sessionId: "s",
      endpoint: "count_tokens",
      startedAt: at(13),
      durationMs: 5,
      promptTokens: 10,
    }),
    turnRecord({
      id: "f",
      sessionId: "s",
      lane: "main",
      startedAt: at(14),
      durationMs: 5,
      status: 500,
      promptTokens: 10,
    }),
    // Not an extension of the lane's previous prompt (compaction, a rewritten history): the lane starts over.
    turnRecord({
      id: "4",
      sessionId: "s",
      lane: "main",
      startedAt: at(20),
      durationMs: 1000,
      promptTokens: 600,
      outputTokens: 10,
    }),
  ];

  it("waits the idle time after every earlier turn ended, 0 for overlapping turns", () => {
    expect(recordedPauses(turns.filter((turn) => ["1", "2", "3", "4"].includes(turn.id)))).toEqual([
      0, 0, 10_000, 7_000,
    ]);
  });

  it("keeps answered Messages turns, one session per lane, growing each lane as recorded", () => {
    const requests = storedSessionRequests(turns);
    expect(requests.map((request) => request.headers["x-session-id"])).toEqual(Array(4).fill("s/replay"));
    // The lanes a gateway tells apart: tool-less is the side lane; a subagent is named by its header.
    expect(requests.map((request) => Boolean(request.body?.tools))).toEqual([true, false, true, true]);
    expect(requests.map((request) => request.recordedPromptTokens)).toEqual([1000, 300, 1400, 600]);
    const messages = (index: number) =>
      (requests[index]?.body?.messages ?? []) as Array<{ role: string; content: string }>;
    // Turn 3 extends turn 1 byte for byte: its history, then the answer's stand-in, then a new message.
    expect(messages(2).slice(0, 1)).toEqual(messages(0));
    expect(messages(2).map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(messages(2)[1]?.content.split(" ").length).toBe(50);
    // Turn 4 starts the lane over, and differs from turn 1 from its first words.
    expect(messages(3)).toHaveLength(1);
    expect(messages(3)[0]?.content.slice(0, 16)).not.toBe(messages(0)[0]?.content.slice(0, 16));
    // Filler words are one token each on common vocabularies: the sizes follow the records.
    const words = (index: number) =>
      messages(index).reduce((sum, message) => sum + message.content.split(" ").length, 0);
    expect(words(0)).toBeGreaterThan(700);
    expect(words(0)).toBeLessThan(750);
    expect(words(2) - words(0)).toBeGreaterThan(380);
    expect(words(2) - words(0)).toBeLessThan(400);
    expect(requests[1]?.pauseMs).toBe(0);
    expect(requests[2]?.pauseMs).toBe(10_000);
  });

  it("names a subagent's lane with Claude Code's agent header", () => {
    const [request] = storedSessionRequests([
      turnRecord({ sessionId: "s", lane: "subagent:ab4a", laneKind: "subagent", promptTokens: 500, outputTokens: 3 }),
    ]);
    expect(request?.headers["x-claude-code-agent-id"]).toBe("ab4a");
    expect(request?.body?.tools).toHaveLength(1);
  });
});
