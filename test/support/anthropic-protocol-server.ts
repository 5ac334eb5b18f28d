import { readFileSync } from "node:fs";
import { join } from "node:path";
import { anthropicRequestViolation, countTokensViolation, IssuedThinking } from "./anthropic-request-rules.js";
import {
  type LoopbackResponse,
  type LoopbackServer,
  type RecordedRequest,
  startLoopbackServer,
} from "./loopback-server.js";

export type { RecordedRequest } from "./loopback-server.js";

/**
 * A loopback server that speaks Anthropic's Messages protocol for tests. It does not make up wire data.
 * Streams are replayed from `test/fixtures/anthropic/*.sse`, each one a documented example copied verbatim
 * (the README there gives the page and section for each). Error bodies and the count_tokens and
 * models-list answers use the documented JSON shapes below. A test's `script` picks one of them for
 * each request, and can cut the connection or hold it open to simulate failures.
 */

export const ANTHROPIC_FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "anthropic");

/** A fixture name (`text-stream` or `text-stream.sse`), or its first `firstEvents` events. */
export type SseSource = string | { fixture: string; firstEvents?: number };

/** One fixture replayed byte for byte, or documented events spliced together (see `composeSse`). */
export type ScriptedResponse = LoopbackResponse<string | SseSource[]>;

export type Script = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

/** `url` is the backend's baseUrl. */
export type AnthropicProtocolServer = LoopbackServer;

/** The text of a fixture file, exactly as stored. */
export function readSseFixture(name: string): string {
  return readFileSync(join(ANTHROPIC_FIXTURE_DIR, name.endsWith(".sse") ? name : `${name}.sse`), "utf8");
}

/** A fixture's events (each the text between blank lines, unchanged). */
export function sseFixtureEvents(name: string): string[] {
  return readSseFixture(name)
    .split(/\r?\n\r?\n/)
    .map((block) => block.replace(/^(?:\r?\n)+|(?:\r?\n)+$/g, ""))
    .filter((block) => block.length > 0);
}

/**
 * Documented events spliced into one stream. A single whole fixture comes back byte for byte. Anything
 * else is the chosen events, each ending in a blank line as on the wire. No event's text is changed.
 */
export function composeSse(sources: string | SseSource[]): string {
  if (typeof sources === "string") return readSseFixture(sources);
  const first = sources[0];
  if (sources.length === 1 && first !== undefined && typeof first === "string") return readSseFixture(first);
  return sources
    .flatMap((source) => {
      const { fixture, firstEvents } =
        typeof source === "string" ? { fixture: source, firstEvents: undefined } : source;
      const events = sseFixtureEvents(fixture);
      return firstEvents === undefined ? events : events.slice(0, firstEvents);
    })
    .map((event) => `${event}\n\n`)
    .join("");
}

/** The documented error body: https://docs.claude.com/en/api/errors ("Error shapes"). */
export function anthropicErrorBody(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

/** Status → error type and the documented description of it (https://docs.claude.com/en/api/errors, "HTTP errors"). */
export const DOCUMENTED_HTTP_ERRORS: Readonly<Record<number, { type: string; description: string }>> = {
  400: {
    type: "invalid_request_error",
    description: "There was an issue with the format or content of your request.",
  },
  401: { type: "authentication_error", description: "There's an issue with your API key." },
  403: {
    type: "permission_error",
    description: "Your API key does not have permission to use the specified resource.",
  },
  404: { type: "not_found_error", description: "The requested resource was not found." },
  413: { type: "request_too_large", description: "Request exceeds the maximum allowed number of bytes." },
  429: { type: "rate_limit_error", description: "Your account has hit a rate limit." },
  500: { type: "api_error", description: "An unexpected error has occurred internal to Anthropic's systems." },
  529: { type: "overloaded_error", description: "The API is temporarily overloaded." },
};

/**
 * A non-stream error response with the documented type for `status`. The message is the documented
 * description of that type. Pass `retry-after` in `headers` for a 429: the rate limits page says a 429
 * comes "along with a `retry-after` header indicating how long to wait".
 */
export function documentedError(status: number, headers?: Record<string, string>): ScriptedResponse {
  const known = DOCUMENTED_HTTP_ERRORS[status];
  if (!known) throw new Error(`no documented Anthropic error type for HTTP ${status}`);
  return { status, headers, json: anthropicErrorBody(known.type, known.description) };
}

/** https://docs.claude.com/en/docs/build-with-claude/token-counting, "Count tokens in basic messages". */
export const DOCUMENTED_COUNT_TOKENS = { input_tokens: 14 } as const;

/** https://docs.anthropic.com/en/api/models-list, the 200 example. */
export const DOCUMENTED_MODELS_LIST = {
  data: [
    {
      created_at: "2025-02-19T00:00:00Z",
      display_name: "Claude Sonnet 4",
      id: "claude-sonnet-4-20250514",
      type: "model",
    },
  ],
  first_id: "<string>",
  has_more: true,
  last_id: "<string>",
} as const;

const isMessagesRequest = (request: RecordedRequest) =>
  request.method === "POST" && /^\/v1\/messages(\?|$)/.test(request.path);
const isCountTokensRequest = (request: RecordedRequest) =>
  request.method === "POST" && /^\/v1\/messages\/count_tokens(\?|$)/.test(request.path);

/**
 * Starts the server on 127.0.0.1 at a free port. Like the real API it checks each Messages request before
 * the script sees it (`anthropic-request-rules.ts`: signatures it issued, thinking placement, tool ids, the
 * parameters thinking forbids), and each count_tokens request against that endpoint's parameters, and
 * answers a broken one `400 invalid_request_error`. It signs thinking by remembering the signatures in the
 * streams it sends. `lenient` turns the checks off, for tests of what a backend does with an answer
 * whatever the request.
 */
export function startAnthropicProtocolServer(options: {
  script: Script;
  lenient?: boolean;
}): Promise<AnthropicProtocolServer> {
  const issued = new IssuedThinking();
  return startLoopbackServer({
    script: (request) => {
      const violation = options.lenient
        ? undefined
        : isMessagesRequest(request)
          ? anthropicRequestViolation(request.body, issued)
          : isCountTokensRequest(request)
            ? countTokensViolation(request.body)
            : undefined;
      if (violation) return { status: 400, json: anthropicErrorBody("invalid_request_error", violation) };
      return options.script(request);
    },
    renderSse: (sources) => {
      const text = composeSse(sources);
      issued.rememberStream(text);
      return text;
    },
    failureBody: (message) => anthropicErrorBody("api_error", message),
  });
}
