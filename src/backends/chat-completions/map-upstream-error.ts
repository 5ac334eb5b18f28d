import { SwitchyardError } from "../../core/errors.js";
import type { RateLimitInfo } from "../../core/rate-limit.js";
import { redactSecrets, redactUrl } from "../../security/redact-secrets.js";
import { parseContextOverflow } from "./parse-context-overflow.js";

interface UpstreamErrorBody {
  error?: { message?: string; type?: string; code?: number | string; n_prompt_tokens?: number; n_ctx?: number };
  /** SGLang's flat `ErrorResponse` puts these at the top level. */
  message?: string;
  code?: number | string;
}

/**
 * The message and code of an OpenAI-style error body: under `error` (OpenAI, vLLM) or at the top level
 * (SGLang, vLLM before 0.9). Undefined for a body that is not JSON or holds no message.
 */
export function upstreamErrorMessage(bodyText: string): { message: string; code: unknown } | undefined {
  let body: { error?: { message?: unknown; code?: unknown }; message?: unknown; code?: unknown } | null;
  try {
    body = JSON.parse(bodyText) as typeof body;
  } catch {
    return undefined;
  }
  const message = body?.error?.message ?? body?.message;
  return typeof message === "string" ? { message, code: body?.error?.code ?? body?.code } : undefined;
}

/**
 * A context overflow in Anthropic's words (`prompt is too long: N tokens > M maximum`, what Claude Code
 * compacts on); the OpenAI door renders the same error as `context_length_exceeded`. Where the upstream
 * did not say a number, its own message stands in.
 */
export function contextOverflowError(
  tokens: number | undefined,
  maximum: number | undefined,
  upstreamMessage: string,
): SwitchyardError {
  const message =
    tokens !== undefined && maximum !== undefined
      ? `prompt is too long: ${tokens} tokens > ${maximum} maximum`
      : `prompt is too long: ${upstreamMessage.trim()}`;
  return new SwitchyardError(message, { kind: "invalid_request", code: "context_overflow" });
}

/**
 * An upstream HTTP error (OpenAI-compatible servers, llama-server) → a SwitchyardError the edge can
 * render in the client's protocol. Deterministic request problems become 4xx so clients stop retrying.
 */
export function mapUpstreamError(
  status: number,
  bodyText: string,
  backendName: string,
  retryAfter?: string | null,
  rateLimit?: RateLimitInfo,
): SwitchyardError {
  let body: UpstreamErrorBody = {};
  try {
    body = JSON.parse(bodyText) as UpstreamErrorBody;
  } catch {
    body = { message: bodyText.slice(0, 500) };
  }
  // Some servers echo the request's headers or key in their errors: never pass those on.
  const upstreamMessage = redactSecrets(String(body.error?.message || body.message || `HTTP ${status}`));
  const overflow = parseContextOverflow(upstreamMessage, body.error?.code ?? body.code);
  if (overflow || body.error?.type === "exceed_context_size_error") {
    const maximum = body.error?.n_ctx ?? overflow?.maximum;
    // When the prompt fits and the completion asked for does not, the request's whole size is what overflowed.
    const prompt = body.error?.n_prompt_tokens ?? overflow?.promptTokens;
    const tokens =
      prompt !== undefined && maximum !== undefined && prompt < maximum && overflow?.completionTokens !== undefined
        ? prompt + overflow.completionTokens
        : prompt;
    return contextOverflowError(tokens, maximum, upstreamMessage);
  }
  if (/Jinja Exception|raise_exception/i.test(upstreamMessage)) {
    return new SwitchyardError(`the model's chat template rejected this conversation: ${upstreamMessage.trim()}`, {
      kind: "invalid_request",
      code: "template_error",
    });
  }
  // llama-server could not parse what the model wrote (chat.cpp: "The model produced output that does not
  // match the expected <format> format"). Sending the same request again gives the same output, so
  // this must not be a 5xx that agents retry forever.
  if (/does not match the expected .* format|failed to parse (the )?(tool call|output)/i.test(upstreamMessage)) {
    return new SwitchyardError(
      `${backendName} cannot parse the model's output (a malformed tool call or reply): ${upstreamMessage.trim()}`,
      { kind: "invalid_request", code: "unparseable_model_output", status: 422 },
    );
  }
  const message = `${backendName}: ${upstreamMessage}`;
  const retryAfterSeconds =
    rateLimit?.retryAfterSeconds ?? (retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined);
  if (status === 400 || status === 422)
    return new SwitchyardError(message, { kind: "invalid_request", code: "upstream_rejected" });
  if (status === 401) return new SwitchyardError(message, { kind: "authentication", code: "upstream_auth" });
  if (status === 403) return new SwitchyardError(message, { kind: "permission", code: "upstream_permission" });
  if (status === 404) return new SwitchyardError(message, { kind: "not_found", code: "upstream_not_found" });
  if (status === 413) return new SwitchyardError(message, { kind: "request_too_large", code: "upstream_too_large" });
  if (status === 429)
    return new SwitchyardError(message, {
      kind: "rate_limit",
      code: "upstream_rate_limit",
      retryAfterSeconds,
      rateLimit,
    });
  if (status === 503 || status === 529) {
    return new SwitchyardError(message, {
      kind: "overloaded",
      code: "upstream_unavailable",
      retryAfterSeconds,
      rateLimit,
    });
  }
  if (status === 504) return new SwitchyardError(message, { kind: "timeout", code: "upstream_timeout" });
  return new SwitchyardError(message, { kind: "upstream", code: "upstream_error" });
}

/** A failure to reach the upstream at all (refused, reset, DNS, timeout). */
export function mapConnectionError(error: unknown, backendName: string, url: string): SwitchyardError {
  const cause = error as { code?: string; name?: string; message?: string };
  if (cause?.name === "AbortError") {
    return new SwitchyardError("the request was aborted", { kind: "upstream", code: "aborted", cause: error });
  }
  const timeout =
    cause?.name === "TimeoutError" || /Timeout/i.test(cause?.code ?? "") || /timeout/i.test(cause?.name ?? "");
  const detail = redactSecrets(String(cause?.code ?? cause?.message ?? error));
  url = redactUrl(url);
  const closed = cause?.code === "UND_ERR_SOCKET" || cause?.code === "ECONNRESET";
  return new SwitchyardError(
    timeout
      ? `${backendName} did not answer in time (${url}): ${detail}`
      : closed
        ? `${backendName} closed the connection before answering (${url}): ${detail}`
        : `${backendName} is unreachable at ${url}: ${detail}`,
    {
      kind: timeout ? "timeout" : "upstream",
      code: timeout ? "upstream_timeout" : "backend_unreachable",
      cause: error,
    },
  );
}
