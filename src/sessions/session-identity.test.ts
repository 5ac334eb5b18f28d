import { describe, expect, it } from "vitest";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { identifySession } from "./session-identity.js";

const tool = { name: "Bash", description: "run", input_schema: { type: "object" } };
const request = (headers: Record<string, string>, tools = [tool]) =>
  parseAnthropicRequest(
    { model: "m", max_tokens: 8, messages: [{ role: "user", content: "hi" }], tools },
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
});
