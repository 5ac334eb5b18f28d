import { describe, expect, it } from "vitest";
import { type ErrorKind, SwitchyardError } from "../../core/errors.js";
import { openAIErrorBody } from "./openai-errors.js";

describe("openAIErrorBody", () => {
  it.each([
    ["invalid_request", "invalid_request_error"],
    ["authentication", "authentication_error"],
    ["permission", "permission_error"],
    ["not_found", "not_found_error"],
    ["request_too_large", "invalid_request_error"],
    ["rate_limit", "rate_limit_error"],
    ["overloaded", "server_error"],
    ["upstream", "server_error"],
    ["timeout", "server_error"],
    ["internal", "server_error"],
  ] as Array<[ErrorKind, string]>)("gives kind %s the type %s", (kind, type) => {
    const error = new SwitchyardError("something failed", { kind, code: "some_code" });
    expect(openAIErrorBody(error)).toEqual({
      error: { message: "something failed", type, param: null, code: "some_code" },
    });
  });

  it("names a context overflow the way OpenAI clients recognise it", () => {
    // The error map-upstream-error produces for llama-server's exceed_context_size_error.
    const error = new SwitchyardError("prompt is too long: 9011 tokens > 4096 maximum", {
      kind: "invalid_request",
      code: "context_overflow",
    });
    expect(openAIErrorBody(error)).toEqual({
      error: {
        message: "prompt is too long: 9011 tokens > 4096 maximum",
        type: "invalid_request_error",
        param: null,
        code: "context_length_exceeded",
      },
    });
  });
});
