import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, fixtureRequests } from "../../test/support/fixtures.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { parseOpenAIChatRequest } from "../protocols/openai/parse-openai-request.js";
import { normalizeForCache } from "./normalize-request.js";
import { identifySession } from "./session-identity.js";

const tool = { name: "Bash", description: "run", input_schema: { type: "object" } };
const request = (headers: Record<string, string>, tools = [tool], userId?: string) =>
  parseAnthropicRequest(
    {
      model: "m",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
      tools,
      ...(userId === undefined ? {} : { metadata: { user_id: userId } }),
    },
    { "content-type": "application/json", ...headers },
  );

describe("identifySession", () => {
  it("takes the session a launcher names (x-switchyard-session-id) over what the client says of itself", () => {
    const identity = identifySession(
      request({ "x-switchyard-session-id": "eval-1", "x-session-id": "ses_own", "x-claude-code-session-id": "cc" }),
    );
    expect(identity).toMatchObject({ sessionId: "eval-1", source: "switchyard-header", name: "main" });
    expect(identifySession(request({ "x-switchyard-session-id": "eval-1" }, []))).toMatchObject({
      sessionId: "eval-1",
      kind: "side",
    });
  });

  it("otherwise goes by Claude Code's header, then x-session-id, then a fingerprint", () => {
    expect(identifySession(request({ "x-claude-code-session-id": "cc", "x-session-id": "s" })).sessionId).toBe("cc");
    expect(identifySession(request({ "x-session-id": "s" }))).toMatchObject({ sessionId: "s", source: "x-session-id" });
    expect(identifySession(request({})).source).toBe("fingerprint");
  });

  it("reads the session from metadata.user_id, as today's Claude Code writes it (JSON) and as earlier ones did", () => {
    const uuid = "0f7c2a9e-4b1d-4c3e-9a6f-2d8b5e1c7a40";
    const today = JSON.stringify({ device_id: "d1", account_uuid: "", session_id: uuid });
    expect(identifySession(request({}, [tool], today))).toMatchObject({ sessionId: uuid, source: "metadata" });
    const earlier = `user_5e1c_account__session_${uuid}`;
    expect(identifySession(request({}, [tool], earlier))).toMatchObject({ sessionId: uuid, source: "metadata" });
    // Not JSON after all: the session is still found in the text.
    expect(identifySession(request({}, [tool], `{session_${uuid}`)).sessionId).toBe(uuid);
    expect(identifySession(request({}, [tool], "user_5e1c")).source).toBe("fingerprint");
  });
});

describe("ids unique on one machine only, behind a gateway others share", () => {
  // Goose 1.52.0's recorded session (test/fixtures/goose): every Goose install numbers its sessions by day.
  const goose = fixtureRequests("tool-session", join(FIXTURES, "goose", "goose-1.52.0", "anthropic")).map((fixture) =>
    normalizeForCache(parseAnthropicRequest(fixture.body, fixture.headers)),
  );

  it("keeps Goose's id and a fingerprint as they are on this machine (loopback, v4, v6 and v4-mapped)", () => {
    for (const address of [undefined, "127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"]) {
      expect(goose.map((request) => identifySession(request, address).sessionId)).toEqual(
        goose.map(() => "20261206_1"),
      );
      expect(identifySession(request({}), address).sessionId).toBe(identifySession(request({})).sessionId);
    }
  });

  it("qualifies them by another machine's address, so two people's sessions stay two, each lane in its session", () => {
    const alice = goose.map((request) => identifySession(request, "::ffff:10.0.0.7"));
    const bob = goose.map((request) => identifySession(request, "fd00::5"));
    expect(new Set(alice.map((identity) => identity.sessionId))).toEqual(new Set(["20261206_1@10.0.0.7"]));
    expect(new Set(bob.map((identity) => identity.sessionId))).toEqual(new Set(["20261206_1@fd00::5"]));
    // The title request (no tools) stays in its session, as a side lane.
    expect(alice.map((identity) => identity.kind)).toEqual(["side", "main", "main", "main", "main", "main"]);
    const fingerprint = identifySession(request({})).sessionId;
    expect(identifySession(request({}), "10.0.0.7").sessionId).toBe(`${fingerprint}@10.0.0.7`);
  });

  it("leaves an id the client made unique alone, wherever it comes from", () => {
    expect(identifySession(request({ "x-session-id": "ses_01" }), "10.0.0.7").sessionId).toBe("ses_01");
    expect(identifySession(request({ "x-claude-code-session-id": "cc" }), "10.0.0.7").sessionId).toBe("cc");
    expect(identifySession(request({ "session-id": "thread" }), "10.0.0.7").sessionId).toBe("thread");
  });
});

describe("the fingerprint, on Qwen Code 0.24.4's recorded run and `-c` resume (test/fixtures/qwen-code)", () => {
  // Qwen Code names no session: it is told by its prompt. Each prompt carries `<system-reminder>` blocks,
  // the last with the date; the resumed history has the first prompt without that one.
  const requests = fixtureRequests("resumed-session", join(FIXTURES, "qwen-code", "qwen-code-0.24.4")).map((fixture) =>
    normalizeForCache(parseOpenAIChatRequest(fixture.body, fixture.headers)),
  );
  const [first, answer, resumed, memory] = requests.map((request) => identifySession(request));

  it("keeps the resumed conversation in the session it began, though its first prompt lost a reminder", () => {
    const firstPrompt = (index: number) => JSON.stringify(requests[index]?.messages[0]?.parts);
    expect(firstPrompt(0)).toContain("The current date is");
    expect(firstPrompt(2)).not.toContain("The current date is");
    expect(first).toMatchObject({ source: "fingerprint", kind: "main" });
    expect(answer?.sessionId).toBe(first?.sessionId);
    expect(resumed?.sessionId).toBe(first?.sessionId);
  });

  it("still tells conversations apart by what their first prompt says besides the reminders", () => {
    const withPrompt = (text: string) => {
      const body = structuredClone(requests[0]?.messages[0]);
      const part = body?.parts[0];
      if (part?.type !== "text") throw new Error("no text");
      return identifySession({
        ...(requests[0] as (typeof requests)[0]),
        messages: [{ ...body, parts: [{ ...part, text: part.text.replace(/run the tool$/, text) }] } as never],
      }).sessionId;
    };
    expect(withPrompt("run the tool")).toBe(first?.sessionId);
    expect(withPrompt("fix the bug")).not.toBe(first?.sessionId);
  });

  it("tells apart Qwen Code's memory extraction, which has a system prompt of its own", () => {
    expect(memory?.sessionId).not.toBe(first?.sessionId);
  });
});
