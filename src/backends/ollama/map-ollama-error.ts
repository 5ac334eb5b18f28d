import { SwitchyardError } from "../../core/errors.js";
import { contextOverflowError } from "../chat-completions/map-upstream-error.js";

/**
 * Ollama's error → a SwitchyardError the edge renders in the client's protocol. Ollama answers
 * `{"error": "..."}` with the HTTP status (docs/api/errors.mdx: 400 bad request, 404 model not found,
 * 429, 500, 502), and after a stream has started, a final `{"error": "..."}` line instead.
 */
export function mapOllamaError(
  status: number,
  bodyText: string,
  backendName: string,
  context: { numCtx?: number; promptTokens?: number; retryAfter?: string | null } = {},
): SwitchyardError {
  let upstream = "";
  try {
    const body = JSON.parse(bodyText) as { error?: unknown };
    upstream = typeof body.error === "string" ? body.error : JSON.stringify(body.error ?? body);
  } catch {
    upstream = bodyText.slice(0, 500);
  }
  upstream = upstream.trim() || `HTTP ${status}`;
  // The runner's errorInputTooLong (runner/ollamarunner/runner.go), sent when `truncate` is false.
  // Its message carries no numbers: the prompt's size is our estimate, and at least one over the window.
  if (/exceeds the context length|context length exceeded|input is too long/i.test(upstream)) {
    const { numCtx, promptTokens } = context;
    const tokens = numCtx === undefined ? undefined : Math.max(promptTokens ?? 0, numCtx + 1);
    return contextOverflowError(tokens, numCtx, `${backendName} says "${upstream}"`);
  }
  const message = `${backendName}: ${upstream}`;
  const retryAfterSeconds =
    context.retryAfter && /^\d+$/.test(context.retryAfter) ? Number(context.retryAfter) : undefined;
  if (status === 404 || /model .*not found/i.test(upstream))
    return new SwitchyardError(message, { kind: "not_found", code: "model_not_found" });
  if (/does not support (thinking|tools)/i.test(upstream))
    return new SwitchyardError(message, { kind: "invalid_request", code: "unsupported_feature" });
  if (status === 400 || status === 422)
    return new SwitchyardError(message, { kind: "invalid_request", code: "upstream_rejected" });
  if (status === 401) return new SwitchyardError(message, { kind: "authentication", code: "upstream_auth" });
  if (status === 403) return new SwitchyardError(message, { kind: "permission", code: "upstream_permission" });
  if (status === 429)
    return new SwitchyardError(message, { kind: "rate_limit", code: "upstream_rate_limit", retryAfterSeconds });
  if (status === 503) return new SwitchyardError(message, { kind: "overloaded", code: "upstream_unavailable" });
  return new SwitchyardError(message, { kind: "upstream", code: "upstream_error" });
}
