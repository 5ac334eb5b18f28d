import { describe, expect, it } from "vitest";
import { INPUT_TOO_LONG, modelNotFound } from "../../../test/support/ollama-protocol-server.js";
import { mapOllamaError } from "./map-ollama-error.js";

const map = (status: number, body: unknown, numCtx?: number) =>
  mapOllamaError(status, typeof body === "string" ? body : JSON.stringify(body), "ollama", { numCtx });

describe("mapOllamaError", () => {
  it("makes a model Ollama has not pulled a 404 not_found", () => {
    const response = modelNotFound("qwen3.5:35b");
    const error = map(response.status, response.json);
    expect(error).toMatchObject({ kind: "not_found", code: "model_not_found", status: 404, retryable: false });
    expect(error.message).toBe('ollama: model "qwen3.5:35b" not found, try pulling it first');
  });

  it("makes a prompt over the context a 400 the client can compact on", () => {
    const error = map(INPUT_TOO_LONG.status, INPUT_TOO_LONG.json, 8192);
    expect(error).toMatchObject({ kind: "invalid_request", code: "context_overflow", status: 400 });
    expect(error.message).toMatch(/^prompt is too long: /);
    expect(error.message).toContain("8192 maximum");
  });

  it("keeps other request problems 400 and server failures retryable 5xx", () => {
    expect(map(400, { error: "invalid options: num_ctx" })).toMatchObject({ kind: "invalid_request", status: 400 });
    expect(map(400, { error: '"qwen3" does not support thinking' })).toMatchObject({ code: "unsupported_feature" });
    expect(map(500, { error: "llama runner process has terminated: exit status 2" })).toMatchObject({
      kind: "upstream",
      status: 502,
      retryable: true,
    });
    expect(map(503, { error: "server busy, please try again.  maximum pending requests exceeded" })).toMatchObject({
      kind: "overloaded",
    });
    expect(mapOllamaError(429, "{}", "ollama", { retryAfter: "7" })).toMatchObject({
      kind: "rate_limit",
      retryAfterSeconds: 7,
    });
  });

  it("says what came back when the body is not Ollama's JSON", () => {
    expect(map(502, "<html>Bad Gateway</html>").message).toBe("ollama: <html>Bad Gateway</html>");
    expect(map(500, "").message).toBe("ollama: HTTP 500");
  });
});
