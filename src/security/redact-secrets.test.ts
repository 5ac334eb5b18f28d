import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets, redactUrl, redactValue, registerSecret } from "./redact-secrets.js";

describe("redactSecrets", () => {
  it("hides keys in vendors' formats and bearer tokens, keeping a short prefix", () => {
    const text = redactSecrets(
      "a sk-ant-api03-abcdefghijklmnop b sk-proj-ABCDEFGHIJKLMNOPQRSTUV c nvapi-0123456789abcdefXYZ d Bearer abc.def-ghi_123",
    );
    expect(text).not.toMatch(/abcdefghijklmnop|ABCDEFGHIJKLMNOPQRSTUV|0123456789abcdefXYZ|abc\.def-ghi_123/);
    expect(text).toContain("sk-ant…[redacted]");
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
  });

  it("hides registered keys whatever their format, but not short placeholders", () => {
    registerSecret("plain-but-secret-value-42");
    registerSecret("local");
    expect(redactSecrets("key plain-but-secret-value-42 used")).toBe(`key ${REDACTED} used`);
    expect(redactSecrets("served by local")).toBe("served by local");
  });

  it("leaves ordinary text alone", () => {
    expect(redactSecrets("prompt is too long: 9000 tokens > 8192 maximum")).toBe(
      "prompt is too long: 9000 tokens > 8192 maximum",
    );
  });
});

describe("redactValue", () => {
  it("blanks secret-named fields and redacts secret-looking strings anywhere in a body", () => {
    const value = redactValue({
      headers: { authorization: "Bearer x", "x-api-key": "k", "user-agent": "claude-cli" },
      metadata: { api_key: "anything" },
      messages: [{ content: "my key is sk-ant-api03-abcdefghijklmnop" }],
    }) as Record<string, Record<string, unknown>>;
    expect(value.headers).toEqual({ authorization: REDACTED, "x-api-key": REDACTED, "user-agent": "claude-cli" });
    expect(value.metadata).toEqual({ api_key: REDACTED });
    expect(JSON.stringify(value.messages)).not.toContain("abcdefghijklmnop");
  });
});

describe("redactUrl", () => {
  it("drops user info and the query, which may carry keys", () => {
    expect(redactUrl("https://user:pass@api.example.com/v1?key=abc")).toBe("https://api.example.com/v1");
    expect(redactUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
  });
});
