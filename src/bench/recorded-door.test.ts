import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isReplayedTurn, recordedDoor, replayedTurn, replayRequest } from "./recorded-door.js";
import { RECORDINGS_ROOT, sessionRequests } from "./recorded-sessions.js";

const post = (url: string, body: Record<string, unknown> = { model: "m" }) => ({ method: "POST", url, body });

describe("recordedDoor", () => {
  it("knows the three doors by path, query aside, and skips what is not a turn", () => {
    expect(recordedDoor(post("/v1/messages?beta=true"))?.wire).toBe("anthropic");
    expect(recordedDoor(post("/v1/chat/completions"))?.endpoint).toBe("chat_completions");
    expect(recordedDoor(post("/v1/responses"))?.wire).toBe("responses");
    expect(recordedDoor(post("/v1/messages/count_tokens?beta=true"))).toBeUndefined();
    expect(recordedDoor(post("/v1/responses/input_tokens"))).toBeUndefined();
    expect(recordedDoor({ method: "GET", url: "/v1/models", body: null })).toBeUndefined();
    expect(recordedDoor({ method: "HEAD", url: "/", body: null })).toBeUndefined();
  });

  it("streams each replayed body with usage, its answer capped in the field the door reads", () => {
    const body = (url: string, recorded: Record<string, unknown>) =>
      (recordedDoor(post(url)) as NonNullable<ReturnType<typeof recordedDoor>>).replayBody(recorded, 16);
    expect(body("/v1/messages", { max_tokens: 32000, stream: false })).toEqual({ max_tokens: 16, stream: true });
    expect(body("/v1/chat/completions", { max_tokens: 4096 })).toEqual({
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    // A client that sent max_completion_tokens is capped there (it wins over max_tokens where both are read).
    expect(body("/v1/chat/completions", { max_completion_tokens: 4096, stream_options: { x: 1 } })).toEqual({
      max_completion_tokens: 16,
      stream: true,
      stream_options: { x: 1, include_usage: true },
    });
    expect(body("/v1/responses", { max_output_tokens: null })).toEqual({ max_output_tokens: 16, stream: true });
    const uncapped = (recordedDoor(post("/v1/responses")) as NonNullable<ReturnType<typeof recordedDoor>>).replayBody(
      { input: [] },
      undefined,
    );
    expect(uncapped).toEqual({ input: [], stream: true });
  });
});

describe("replayedTurn on Codex's recordings", () => {
  const requests = sessionRequests(join(RECORDINGS_ROOT, "codex", "codex-0.171.0", "agent-session"));

  it("names the session from Codex's session-id and a sub-agent's turns by their own thread", () => {
    const turns = requests.filter(isReplayedTurn).map((request) => replayedTurn(request, 64));
    const sessionId = requests[0]?.headers["session-id"];
    expect(turns.map((turn) => [turn.identity.sessionId, turn.identity.source])).toEqual(
      turns.map(() => [sessionId, "codex-header"]),
    );
    const lanes = turns.map((turn) => turn.identity.name);
    expect(lanes.filter((lane) => lane === "main").length).toBe(4);
    expect(lanes.filter((lane) => lane.startsWith("subagent:")).length).toBe(2);
    expect(turns.every((turn) => turn.canonical.maxTokens === 64)).toBe(true);
  });

  it("refuses a request that is not a turn, naming it", () => {
    const request = { ...(requests[0] as (typeof requests)[number]), method: "GET", url: "/v1/models" };
    expect(() => replayRequest(request, 64)).toThrow("agent-session/001.json (GET /v1/models) is not a turn");
  });
});
