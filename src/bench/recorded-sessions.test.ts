import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  clientSessions,
  FIXTURE_ROOT,
  fixtureRequests,
  RECORDINGS_ROOT,
  recordedClients,
  resolveSessionDirectory,
  sessionRequests,
} from "./recorded-sessions.js";

describe("the repository's recorded sessions", () => {
  it("lists the clients with recordings, and a client's sessions of every version and wire", () => {
    expect(recordedClients()).toEqual(expect.arrayContaining(["claude-code", "codex", "goose", "opencode", "pi"]));
    expect(recordedClients()).not.toContain("anthropic");
    expect(clientSessions("codex").map((directory) => sessionRequests(directory)[0]?.session)).toEqual([
      "codex-0.171.0/agent-session",
      "codex-0.171.0/tool-session",
    ]);
    expect(clientSessions("goose").map((directory) => sessionRequests(directory)[0]?.session)).toContain(
      "goose-1.52.0/openai/tool-session",
    );
    expect(() => clientSessions("crush")).toThrow("no recorded sessions of crush; recorded clients: claude-code");
  });

  it("keeps Claude Code 2.1.197's fixtures by their bare names", () => {
    expect(fixtureRequests("bare-session")[0]?.session).toBe("bare-session");
    expect(sessionRequests(resolveSessionDirectory("agent-session"))[0]?.session).toBe("agent-session");
  });

  it("resolves a path below test/fixtures, or any directory, and says what it takes when neither fits", () => {
    expect(resolveSessionDirectory("pi/pi-1.6.0/tool-session")).toBe(
      join(RECORDINGS_ROOT, "pi", "pi-1.6.0", "tool-session"),
    );
    const directory = join(FIXTURE_ROOT, "basic-session");
    expect(resolveSessionDirectory(directory)).toBe(directory);
    expect(() => resolveSessionDirectory("codex")).toThrow(/neither a session directory nor a recorded session/);
  });
});
