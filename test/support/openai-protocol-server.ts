import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ContextRule, enforceContextLength } from "./context-length-rule.js";
import {
  type LoopbackResponse,
  type LoopbackServer,
  type RecordedRequest,
  startLoopbackServer,
} from "./loopback-server.js";
import { openAIRequestViolation } from "./openai-request-rules.js";

export type { RecordedRequest } from "./loopback-server.js";

/**
 * A loopback server that speaks OpenAI's Chat Completions protocol for tests. It does not make up wire
 * data. Streams are replayed from `test/fixtures/openai/*.sse` (the README there gives the source of each:
 * a stream recorded from the live API by openai-python's test suite, and the API reference's streaming
 * example). Error bodies and the models list use the documented shapes below. A test's `script` picks one
 * of them for each request, and can cut the connection to simulate failures.
 */

export const OPENAI_FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "openai");

/** `sse` is a fixture name (`text-stream` or `text-stream.sse`) replayed byte for byte. */
export type ScriptedResponse = LoopbackResponse<string>;

export type Script = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

/** `url` is `http://127.0.0.1:<port>`; a backend's baseUrl is this plus `/v1`. */
export type OpenAIProtocolServer = LoopbackServer;

/** The text of a fixture file, exactly as stored. */
export function readOpenAIFixture(name: string): string {
  return readFileSync(join(OPENAI_FIXTURE_DIR, name.endsWith(".sse") ? name : `${name}.sse`), "utf8");
}

/**
 * The documented error body: `ErrorResponse` = `{ error: Error }`, `Error` = `{ message, type, param, code }`
 * in OpenAI's OpenAPI spec (github.com/openai/openai-openapi, `openapi.yaml`, components/schemas).
 */
export function openAIErrorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/**
 * Status → the error-codes guide's heading for it (https://platform.openai.com/docs/guides/error-codes,
 * "API errors") as the message. The guide shows no JSON body, so `type` and `code` are NOT documented
 * values: they are the ones the API is commonly reported to send, and nothing here depends on them (the
 * backend maps by status). See test/fixtures/openai/README.md.
 */
export const DOCUMENTED_HTTP_ERRORS: Readonly<Record<number, { message: string; type: string; code: string | null }>> =
  {
    401: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" },
    429: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" },
    500: { message: "The server had an error while processing your request", type: "server_error", code: null },
  };

/** A non-stream error response for `status`; pass `retry-after` in `headers` for a 429. */
export function documentedError(status: number, headers?: Record<string, string>): ScriptedResponse {
  const known = DOCUMENTED_HTTP_ERRORS[status];
  if (!known) throw new Error(`no documented OpenAI error for HTTP ${status}`);
  return { status, headers, json: openAIErrorBody(known.message, known.type, known.code) };
}

/**
 * https://platform.openai.com/docs/api-reference/models/list, the example response (also in openapi.yaml),
 * with the two trailing commas that make the documented text invalid JSON removed.
 */
export const DOCUMENTED_MODELS_LIST = {
  object: "list",
  data: [
    { id: "model-id-0", object: "model", created: 1686935002, owned_by: "organization-owner" },
    { id: "model-id-1", object: "model", created: 1686935002, owned_by: "organization-owner" },
    { id: "model-id-2", object: "model", created: 1686935002, owned_by: "openai" },
  ],
} as const;

/**
 * Starts the server on 127.0.0.1 at a free port. `fixtureDir` picks another server's recorded streams
 * (vLLM, SGLang: `test/fixtures/<server>/`); the framing and failure simulation are the same.
 */
export function startOpenAIProtocolServer(options: {
  script: Script;
  fixtureDir?: string;
  /**
   * Check each chat completions request as OpenAI's API does (`openai-request-rules.ts`: roles, tool
   * messages answering the assistant's tool calls) and answer a broken one 400. Default: on for OpenAI's own
   * streams, off for another server's (vLLM and SGLang render messages through the model's chat template
   * and check none of this).
   */
  strict?: boolean;
  /** A context window the server enforces with `rule` (the server's own; context-length-rule.ts). */
  context?: { length: number; rule: ContextRule };
}): Promise<OpenAIProtocolServer> {
  const directory = options.fixtureDir ?? OPENAI_FIXTURE_DIR;
  const strict = options.strict ?? options.fixtureDir === undefined;
  const { context } = options;
  const script = context ? enforceContextLength(options.script, context.rule, context.length) : options.script;
  return startLoopbackServer({
    script: (request) => {
      const checked = strict && request.method === "POST" && /\/chat\/completions(\?|$)/.test(request.path);
      const violation = checked ? openAIRequestViolation(request.body) : undefined;
      if (violation) {
        return {
          status: 400,
          json: {
            error: {
              message: violation.message,
              type: "invalid_request_error",
              param: violation.param,
              code: violation.code,
            },
          },
        };
      }
      return script(request);
    },
    renderSse: (name: string) => readFileSync(join(directory, name.endsWith(".sse") ? name : `${name}.sse`), "utf8"),
    failureBody: (message) => openAIErrorBody(message, "server_error"),
  });
}
