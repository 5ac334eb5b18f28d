import { describe, expect, it } from "vitest";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
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
