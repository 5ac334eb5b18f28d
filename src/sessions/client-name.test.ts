import { describe, expect, it } from "vitest";
import { clientSessions, recordedClients, sessionRequests } from "../bench/recorded-sessions.js";
import { clientName, readClientName } from "./client-name.js";

describe("clientName", () => {
  it("names every recorded client from the headers it sent, with its version", () => {
    const named = new Map<string, Set<string | undefined>>();
    for (const client of recordedClients())
      for (const directory of clientSessions(client))
        for (const request of sessionRequests(directory).filter((recorded) => recorded.method === "POST"))
          named.set(client, (named.get(client) ?? new Set()).add(clientName(request.headers)));
    expect(Object.fromEntries([...named].map(([client, names]) => [client, [...names].sort()]))).toEqual({
      "claude-code": ["Claude Code 2.1.197", "Claude Code 2.1.332"],
      codex: ["Codex 0.171.0"],
      // Goose sends no user-agent; its session header names it.
      goose: ["Goose"],
      opencode: ["opencode 1.18.33"],
      // pi 0.73.1 sent the OpenAI SDK's own user-agent; 1.6.0 sends its own.
      pi: ["OpenAI/JS 6.26.0", "pi 1.6.0"],
      "qwen-code": ["Qwen Code 0.24.4"],
    });
  });

  it("names another client by its user-agent up to its first comment, and nothing by what is not one", () => {
    expect(clientName({ "user-agent": "curl/8.5.0" })).toBe("curl/8.5.0");
    expect(clientName({ "user-agent": "codex_cli_rs/0.172.0 (Mac OS 15.1; arm64) iTerm" })).toBe("Codex 0.172.0");
    expect(clientName({ "user-agent": "Crush/0.96.1" })).toBe("Crush 0.96.1");
    expect(clientName({ "user-agent": "python-httpx" })).toBe("python-httpx");
    expect(clientName({ "user-agent": "(compatible)" })).toBeUndefined();
    expect(clientName({ "user-agent": `x/${"9".repeat(100)}` })).toBeUndefined();
    expect(clientName({ "user-agent": "evil/1\u0007 (x)" })).toBeUndefined();
    expect(clientName({})).toBeUndefined();
  });

  it("reads back only a short printable name", () => {
    expect(readClientName("Codex 0.171.0")).toBe("Codex 0.171.0");
    expect(readClientName("bad\u0000name")).toBeUndefined();
    expect(readClientName(5)).toBeUndefined();
    expect(readClientName("")).toBeUndefined();
  });
});
