import type { Backend } from "../backends/backend.js";
import { backendKind } from "../backends/registry/backend-registry.js";
import type { CanonicalRequest } from "../core/canonical.js";
import { tokenEstimate, tokenUpperBound } from "./fit-check.js";

/** A completion limit lowered to what the context left: the client's `max_tokens`, and what was sent. */
export interface MaxTokensClamp {
  from: number;
  to: number;
}

/**
 * The request with `maxTokens` lowered to what the backend's context leaves after the prompt, and the
 * clamp when there was one. Nothing changes when the context is unknown, when the request fits as it is
 * (by the cheap upper bound, without counting), or when the prompt alone fills the context: then the
 * backend's own overflow error is the answer (`prompt is too long`, which the client compacts on).
 */
export async function clampMaxTokens(
  backend: Backend,
  model: string,
  request: CanonicalRequest,
  signal: AbortSignal,
): Promise<{ request: CanonicalRequest; clamp: MaxTokensClamp | undefined }> {
  const unchanged = { request, clamp: undefined };
  const sizing = backendKind(backend.kind).clampPromptSizing;
  if (sizing === "none") return unchanged;
  const context = await backend.contextSize(signal, model).catch(() => undefined);
  if (!context || tokenUpperBound(request) + request.maxTokens < context) return unchanged;
  const counted =
    sizing === "count"
      ? await backend
          .countTokens(request, { model, signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) })
          .catch(() => undefined)
      : undefined;
  const prompt = counted?.tokens ?? tokenEstimate(request);
  // One token short of the difference: SGLang refuses `prompt + max_new_tokens >= context_len`.
  const room = context - prompt - 1;
  if (room < 1 || room >= request.maxTokens) return unchanged;
  return { request: { ...request, maxTokens: room }, clamp: { from: request.maxTokens, to: room } };
}
