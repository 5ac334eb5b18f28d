import type { ErrorKind, SwitchyardError } from "../../core/errors.js";

/** OpenAI's error `type` for each kind (OpenAI has no separate types for too-large or upstream trouble). */
const OPENAI_ERROR_TYPE: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  upstream: "server_error",
  timeout: "server_error",
  overloaded: "server_error",
  internal: "server_error",
};

/** Our codes that OpenAI clients know under OpenAI's own name (they compact or trim on this one). */
const OPENAI_ERROR_CODE: Record<string, string> = { context_overflow: "context_length_exceeded" };

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * OpenAI's error body, `{error: {message, type, param, code}}` — the fields the official clients read
 * (openai-node `APIError`: `error.message`, `.type`, `.param`, `.code`).
 */
export function openAIErrorBody(error: SwitchyardError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: OPENAI_ERROR_TYPE[error.kind],
      param: null,
      code: OPENAI_ERROR_CODE[error.code] ?? error.code,
    },
  };
}
