import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import type { CanonicalMessage, CanonicalRequest } from "../core/canonical.js";
import { tokenEstimate, tokenUpperBound } from "./fit-check.js";
import { readSignals, repeatedToolCalls, trailingToolErrors } from "./session-signals.js";

const options = { header: "x-switchyard-route", cloudMarker: "/cloud", localMarker: "/local" };

function request(messages: CanonicalMessage[], headers: Record<string, string> = {}): CanonicalRequest {
  return canonicalRequest({
    model: "sonnet",
    system: [{ type: "text", text: "be brief" }],
    messages,
    tools: [{ name: "Bash", description: "run", inputSchema: { type: "object" } }],
    maxTokens: 100,
    thinking: { mode: "adaptive" },
    client: { protocol: "anthropic", headers, body: {}, userId: undefined },
  });
}

const user = (text: string): CanonicalMessage => ({ role: "user", parts: [{ type: "text", text }] });
const call = (id: string, command = "ls"): CanonicalMessage => ({
  role: "assistant",
  parts: [{ type: "tool_call", id, name: "Bash", input: { command } }],
});
const result = (id: string, isError: boolean): CanonicalMessage => ({
  role: "user",
  parts: [{ type: "tool_result", toolCallId: id, content: [{ type: "text", text: "out" }], isError }],
});

describe("session signals", () => {
  it("counts failed tool results in a row at the end, across turns, stopping at a success or a new prompt", () => {
    expect(trailingToolErrors(request([user("go"), call("a"), result("a", true)]))).toBe(1);
    expect(trailingToolErrors(request([user("go"), call("a"), result("a", true), call("b"), result("b", true)]))).toBe(
      2,
    );
    expect(trailingToolErrors(request([user("go"), call("a"), result("a", true), call("b"), result("b", false)]))).toBe(
      0,
    );
    expect(
      trailingToolErrors(request([call("a"), result("a", true), user("again"), call("b"), result("b", true)])),
    ).toBe(1);
    expect(
      trailingToolErrors(
        request([
          user("go"),
          call("a"),
          result("a", true),
          { role: "system", parts: [{ type: "text", text: "note" }] },
        ]),
      ),
    ).toBe(1);
    expect(trailingToolErrors(request([user("go")]))).toBe(0);
  });

  it("counts the same tool call repeated at the end", () => {
    const repeated = request([user("go"), call("a"), result("a", false), call("b"), result("b", false), call("c")]);
    expect(repeatedToolCalls(repeated)).toEqual({ count: 3, name: "Bash" });
    const varied = request([user("go"), call("a"), result("a", false), call("b", "pwd"), result("b", false)]);
    expect(repeatedToolCalls(varied).count).toBe(1);
    expect(repeatedToolCalls(request([user("go")])).count).toBe(0);
  });

  it("reads markers at the start of a line of the latest user message, and the route header", () => {
    expect(readSignals(request([user("/cloud please take over")]), options).marker).toBe("cloud");
    expect(readSignals(request([user("<reminder>x</reminder>\n/local")]), options).marker).toBe("local");
    expect(readSignals(request([user("what does /cloud do?")]), options).marker).toBeUndefined();
    expect(readSignals(request([user("/cloud"), call("a"), result("a", false)]), options).marker).toBeUndefined();
    expect(readSignals(request([user("hi")], { "x-switchyard-route": "Cloud" }), options).header).toBe("cloud");
    expect(readSignals(request([user("hi")], { "x-switchyard-route": "moon" }), options).header).toBeUndefined();
  });

  it("bounds the prompt's tokens from above without a tokenizer, and estimates below the bound", () => {
    const big = request([user("é".repeat(10_000))]);
    // 2 bytes per é: the bound covers even a tokenizer that made one token per byte.
    expect(tokenUpperBound(big)).toBeGreaterThan(20_000);
    expect(tokenEstimate(big)).toBeLessThan(tokenUpperBound(big));
  });
});
