import { createServer, type Server, type Socket } from "node:net";
import { errors, Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SwitchyardError } from "../../core/errors.js";
import { freePort } from "../../util/free-port.js";
import { mapConnectionError, mapUpstreamError } from "./map-upstream-error.js";

/**
 * llama-server's error bodies: the context overflow as llama-server words it (a 6011-token variant was seen from
 * build b1-de3ff81 too), and the Jinja exception recorded verbatim from that build with the Qwen3.5 template
 * (a mid-conversation system message); see fixtures/README.md.
 */
const CONTEXT_OVERFLOW =
  '{"error":{"code":400,"message":"request (9011 tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9011,"n_ctx":4096}}';
const JINJA_EXCEPTION =
  '{"error":{"code":500,"message":"\\n------------\\nWhile executing CallExpression at line 85, column 32 in source:\\n...first %}↵            {{- raise_exception(\'System message must be at the beginnin...\\n                                           ^\\nError: Jinja Exception: System message must be at the beginning.","type":"server_error"}}';

/** Recorded from build b1-de3ff81 serving the gpt-oss malformed-tool-call test model (HTTP 500, and as a stream event). */
const UNPARSEABLE_OUTPUT =
  '{"error":{"code":500,"message":"The model produced output that does not match the expected peg-native format","type":"server_error"}}';

const body = (message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ error: { message, ...extra } });

describe("mapUpstreamError: llama-server's own errors", () => {
  it("context overflow → invalid_request in Anthropic's words", () => {
    const error = mapUpstreamError(400, CONTEXT_OVERFLOW, "local");
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({
      kind: "invalid_request",
      code: "context_overflow",
      status: 400,
      retryable: false,
      message: "prompt is too long: 9011 tokens > 4096 maximum",
    });
  });

  it("context overflow read from the message alone (no type, no counts)", () => {
    const error = mapUpstreamError(
      400,
      body("request (6011 tokens) exceeds the available context size (4096 tokens), try increasing it"),
      "local",
    );
    expect(error).toMatchObject({
      code: "context_overflow",
      message: "prompt is too long: 6011 tokens > 4096 maximum",
    });
  });

  it("context overflow as a plain-text body", () => {
    const error = mapUpstreamError(
      400,
      "request (5000 tokens) exceeds the available context size (2048 tokens), try increasing it",
      "local",
    );
    expect(error).toMatchObject({
      code: "context_overflow",
      message: "prompt is too long: 5000 tokens > 2048 maximum",
    });
  });

  it("the template's Jinja exception (HTTP 500) → invalid_request template_error, not a retryable 5xx", () => {
    const error = mapUpstreamError(500, JINJA_EXCEPTION, "local");
    expect(error).toMatchObject({ kind: "invalid_request", code: "template_error", status: 400, retryable: false });
    expect(error.message).toMatch(/^the model's chat template rejected this conversation: /);
    expect(error.message).toContain("Jinja Exception: System message must be at the beginning.");
  });

  it("output llama-server cannot parse (HTTP 500) → a 422 nobody retries, not a 5xx", () => {
    const error = mapUpstreamError(500, UNPARSEABLE_OUTPUT, "local");
    expect(error).toMatchObject({ code: "unparseable_model_output", status: 422, retryable: false });
    expect(error.message).toBe(
      "local cannot parse the model's output (a malformed tool call or reply): The model produced output that does not match the expected peg-native format",
    );
  });

  it("a raise_exception message without the Jinja prefix is a template error too", () => {
    expect(mapUpstreamError(500, body("raise_exception('No user query found')"), "local").code).toBe("template_error");
  });
});

describe("mapUpstreamError: by status", () => {
  it.each([
    [400, "invalid_request", "upstream_rejected", 400, false],
    [422, "invalid_request", "upstream_rejected", 400, false],
    [401, "authentication", "upstream_auth", 401, false],
    [403, "permission", "upstream_permission", 403, false],
    [404, "not_found", "upstream_not_found", 404, false],
    [413, "request_too_large", "upstream_too_large", 413, false],
    [429, "rate_limit", "upstream_rate_limit", 429, true],
    [503, "overloaded", "upstream_unavailable", 529, true],
    [529, "overloaded", "upstream_unavailable", 529, true],
    [504, "timeout", "upstream_timeout", 504, true],
    [500, "upstream", "upstream_error", 502, true],
    [502, "upstream", "upstream_error", 502, true],
  ] as const)("HTTP %i → %s / %s (status %i, retryable %s)", (status, kind, code, mapped, retryable) => {
    const error = mapUpstreamError(status, body("something happened", { type: "x" }), "cloud");
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind, code, status: mapped, retryable, message: "cloud: something happened" });
  });

  it("429 keeps a Retry-After in seconds", () => {
    expect(mapUpstreamError(429, body("slow down"), "cloud", "7").retryAfterSeconds).toBe(7);
  });

  it("503 and 529 keep Retry-After too", () => {
    expect(mapUpstreamError(503, body("busy"), "cloud", "30").retryAfterSeconds).toBe(30);
    expect(mapUpstreamError(529, body("overloaded"), "cloud", "2").retryAfterSeconds).toBe(2);
  });

  it.each([null, undefined, "", "Wed, 21 Oct 2026 07:28:00 GMT", "1.5", "-3"])(
    "ignores a Retry-After of %j",
    (retryAfter) => {
      expect(mapUpstreamError(429, body("slow down"), "cloud", retryAfter).retryAfterSeconds).toBeUndefined();
    },
  );

  it("other statuses carry no retryAfterSeconds", () => {
    expect(mapUpstreamError(500, body("x"), "cloud", "5").retryAfterSeconds).toBeUndefined();
  });

  it("takes an Anthropic-style error body", () => {
    const anthropic = JSON.stringify({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
    expect(mapUpstreamError(529, anthropic, "cloud")).toMatchObject({
      kind: "overloaded",
      message: "cloud: Overloaded",
    });
  });

  it("takes a top-level message", () => {
    expect(mapUpstreamError(404, JSON.stringify({ message: "no such model" }), "cloud").message).toBe(
      "cloud: no such model",
    );
  });
});

describe("mapUpstreamError: bodies that are not JSON", () => {
  it("uses the text of an HTML error page", () => {
    const error = mapUpstreamError(502, "<html><body>Bad Gateway</body></html>", "proxy");
    expect(error).toMatchObject({ kind: "upstream", code: "upstream_error", retryable: true });
    expect(error.message).toBe("proxy: <html><body>Bad Gateway</body></html>");
  });

  it("cuts a long text body to 500 characters", () => {
    const error = mapUpstreamError(500, "x".repeat(5000), "proxy");
    expect(error.message).toBe(`proxy: ${"x".repeat(500)}`);
  });

  it("an empty body still maps by status", () => {
    expect(mapUpstreamError(503, "", "proxy")).toMatchObject({ kind: "overloaded", code: "upstream_unavailable" });
  });

  it("falls back to the status for an empty body", () => {
    expect(mapUpstreamError(503, "", "proxy").message).toBe("proxy: HTTP 503");
  });

  it("JSON without a message falls back to the status", () => {
    expect(mapUpstreamError(500, "{}", "proxy").message).toBe("proxy: HTTP 500");
    expect(mapUpstreamError(401, '{"error":{}}', "proxy")).toMatchObject({
      kind: "authentication",
      message: "proxy: HTTP 401",
    });
  });
});

describe("mapConnectionError", () => {
  it("ECONNREFUSED → upstream backend_unreachable naming the backend and URL", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8080"), {
      code: "ECONNREFUSED",
      errno: -111,
      syscall: "connect",
    });
    const error = mapConnectionError(refused, "local", "http://127.0.0.1:8080");
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "upstream", code: "backend_unreachable", status: 502, retryable: true });
    expect(error.message).toBe("local is unreachable at http://127.0.0.1:8080: ECONNREFUSED");
    expect(error.cause).toBe(refused);
  });

  it.each([
    ["a DOMException TimeoutError", new DOMException("The operation was aborted due to timeout", "TimeoutError")],
    ["undici's ConnectTimeoutError", new errors.ConnectTimeoutError()],
    ["undici's HeadersTimeoutError", new errors.HeadersTimeoutError()],
    ["undici's BodyTimeoutError", new errors.BodyTimeoutError()],
  ])("%s → timeout", (_label, cause) => {
    const error = mapConnectionError(cause, "local", "http://127.0.0.1:8080");
    expect(error).toMatchObject({ kind: "timeout", code: "upstream_timeout", status: 504, retryable: true });
    expect(error.message).toMatch(/^local did not answer in time \(http:\/\/127\.0\.0\.1:8080\): /);
  });

  it("an abort → upstream aborted", () => {
    const error = mapConnectionError(
      new DOMException("This operation was aborted", "AbortError"),
      "local",
      "http://127.0.0.1:8080",
    );
    expect(error).toMatchObject({ kind: "upstream", code: "aborted", message: "the request was aborted" });
  });

  it("a non-Error value still gives a message", () => {
    const error = mapConnectionError("socket hang up", "local", "http://h");
    expect(error).toMatchObject({
      code: "backend_unreachable",
      message: "local is unreachable at http://h: socket hang up",
    });
  });

  describe("with errors undici really throws", () => {
    let silent: Server;
    let silentPort = 0;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      // Accepts connections and never answers.
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const address = silent.address();
      silentPort = typeof address === "object" && address ? address.port : 0;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    async function failure(origin: string, signal?: AbortSignal): Promise<unknown> {
      const pool = new Pool(origin, { connect: { timeout: 2_000 } });
      try {
        await pool.request({ method: "GET", path: "/health", signal });
      } catch (error) {
        return error;
      } finally {
        await pool.destroy();
      }
      throw new Error("expected the request to fail");
    }

    it("a refused connection → backend_unreachable", async () => {
      const origin = `http://127.0.0.1:${await freePort()}`;
      const error = mapConnectionError(await failure(origin), "local", origin);
      expect(error).toMatchObject({ kind: "upstream", code: "backend_unreachable" });
      expect(error.message).toBe(`local is unreachable at ${origin}: ECONNREFUSED`);
    });

    it("AbortSignal.timeout on a server that never answers → timeout", async () => {
      const origin = `http://127.0.0.1:${silentPort}`;
      const error = mapConnectionError(await failure(origin, AbortSignal.timeout(50)), "local", origin);
      expect(error).toMatchObject({ kind: "timeout", code: "upstream_timeout" });
    });
  });
});

describe("mapUpstreamError: vLLM's, SGLang's and OpenAI's context overflow", () => {
  it("vLLM's refusal of a prompt over the window → prompt is too long with its numbers", () => {
    const error = mapUpstreamError(
      400,
      body(
        "This model's maximum context length is 32768 tokens. However, you requested 32000 output tokens and your prompt contains 40000 input tokens, for a total of 72000 tokens. Please reduce the length of the input prompt or the number of requested output tokens.",
        { type: "BadRequestError", code: 400 },
      ),
      "vllm",
    );
    expect(error).toMatchObject({
      code: "context_overflow",
      status: 400,
      message: "prompt is too long: 40000 tokens > 32768 maximum",
    });
  });

  it("a prompt that fits with a completion that does not → the request's whole size", () => {
    const error = mapUpstreamError(
      400,
      JSON.stringify({
        object: "error",
        message:
          "Requested token count exceeds the model's maximum context length of 32768 tokens. You requested a total of 52000 tokens: 20000 tokens from the input messages and 32000 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.",
        type: "BadRequestError",
        param: null,
        code: 400,
      }),
      "sglang",
    );
    expect(error.message).toBe("prompt is too long: 52000 tokens > 32768 maximum");
  });

  it("OpenAI's context_length_exceeded without numbers keeps its words", () => {
    const error = mapUpstreamError(
      400,
      body("Your input exceeds the context window of this model.", { code: "context_length_exceeded" }),
      "cloud",
    );
    expect(error).toMatchObject({ code: "context_overflow", kind: "invalid_request" });
    expect(error.message).toBe("prompt is too long: Your input exceeds the context window of this model.");
  });
});
