import { describe, expect, it } from "vitest";
import { fixtureRequests, gooseRecordings } from "../../test/support/fixtures.js";
import { GOOSE_NOTE_RELEASE } from "../../test/support/goose.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { parseOpenAIChatRequest } from "../protocols/openai/parse-openai-request.js";
import { describeLane } from "./lane.js";
import { LaneTracker } from "./lane-tracker.js";
import { normalizeForCache } from "./normalize-request.js";
import { findDivergence } from "./prefix-diff.js";
import { identifySession } from "./session-identity.js";
import { SessionTable } from "./session-table.js";
import { takeTurnNote, trailingNoteBytes } from "./turn-note.js";

const NOTE = "<info-msg>\nIt is currently 2026-12-06 14:49:00\nWorking directory: /w\n\n</info-msg>";

describe("takeTurnNote", () => {
  it("takes Goose's note from the start or the end of a user text, and the text alone stays", () => {
    expect(takeTurnNote(NOTE)).toEqual({ rest: "", note: NOTE });
    expect(takeTurnNote(`${NOTE}\nrun the tool`)).toEqual({ rest: "run the tool", note: NOTE });
    expect(takeTurnNote(`run the tool\n${NOTE}`)).toEqual({ rest: "run the tool", note: NOTE });
  });

  it("leaves a text that only mentions the tag, or holds it in the middle, as it is", () => {
    expect(takeTurnNote("what does <info-msg> mean?")).toBeUndefined();
    expect(takeTurnNote(`before\n${NOTE}\nafter`)).toBeUndefined();
    expect(takeTurnNote(`x${NOTE}`)).toBeUndefined();
    expect(takeTurnNote("<info-msg>\nno end")).toBeUndefined();
  });
});

/** Goose 1.37's recorded sessions (test/fixtures/goose), each request parsed by its door and normalized. */
const sessions = [
  { provider: "anthropic" as const, parse: parseAnthropicRequest },
  { provider: "openai" as const, parse: parseOpenAIChatRequest },
].map(({ provider, parse }) => ({
  provider,
  requests: fixtureRequests("tool-session", gooseRecordings(provider, GOOSE_NOTE_RELEASE.goose)).map((fixture) =>
    normalizeForCache(parse(fixture.body, fixture.headers)),
  ),
}));

const text = (parts: readonly { type: string; text?: string }[]) => parts.map((part) => part.text ?? "").join("");

describe.each(sessions)("Goose's recorded $provider session, normalized", ({ requests }) => {
  const main = requests.filter((request) => request.tools.length > 0);

  it("is one session with a main and a side lane, named by Goose's header", () => {
    const lanes = new Set(requests.map((request) => describeLane(identifySession(request))));
    expect(lanes).toEqual(new Set(["20261206_1/main", "20261206_1/side"]));
    expect(identifySession(main[0] as (typeof main)[0]).source).toBe("goose-header");
  });

  it("carries the request's note once, as the last message, and each prompt extends the one before", () => {
    expect(main).toHaveLength(4);
    for (const request of main) {
      const withNote = request.messages.filter((message) => text(message.parts).includes("<info-msg>"));
      expect(withNote).toEqual([request.messages.at(-1)]);
      expect(trailingNoteBytes(request)).toBeGreaterThan(100);
    }
    for (let index = 1; index < main.length; index++) {
      expect(findDivergence(main[index - 1] as (typeof main)[0], main[index] as (typeof main)[0])).toBeUndefined();
    }
  });

  it("expects the previous prompt less its note from the cache: a turn that reused it is no miss", () => {
    const tracker = new LaneTracker(new SessionTable());
    const lane = identifySession(main[0] as (typeof main)[0]);
    const turn = (index: number, prompt: number, reused: number) =>
      tracker.analyze(
        lane,
        main[index] as (typeof main)[0],
        "gpu",
        { inputTokens: prompt - reused, outputTokens: 9, cacheReadTokens: reused, cacheWriteTokens: 0 },
        {},
      );
    turn(0, 4400, 0);
    // The note (~70 tokens) and the generation prompt were not reused; everything before them was.
    const next = turn(1, 4500, 4320);
    expect(next.miss).toBeUndefined();
    expect(next.expectedReuse).toBeLessThan(4400);
    expect(next.expectedReuse).toBeGreaterThan(4400 - 400);
    // A turn that reused only the system prompt is a miss.
    expect(turn(2, 4600, 3000).miss?.reason).toBe("prefix-not-reused");
  });
});
