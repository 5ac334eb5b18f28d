import { describe, expect, it } from "vitest";
import { recordedUnder } from "./replay-sessions.js";

describe("recordedUnder: a gateway's turn record matched to a replayed session", () => {
  it("takes the session as named, and as a gateway on another machine qualifies it with this one's address", () => {
    expect(recordedUnder({ endpoint: "messages", sessionId: "20261206_1" }, "messages 20261206_1")).toBe(true);
    expect(recordedUnder({ endpoint: "messages", sessionId: "20261206_1@10.0.0.7" }, "messages 20261206_1")).toBe(true);
    expect(recordedUnder({ endpoint: "messages", sessionId: "20261206_12" }, "messages 20261206_1")).toBe(false);
    expect(recordedUnder({ endpoint: "chat_completions", sessionId: "20261206_1" }, "messages 20261206_1")).toBe(false);
  });
});
