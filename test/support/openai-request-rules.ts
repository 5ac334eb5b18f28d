/**
 * OpenAI Chat Completions' documented request validation that a converted conversation can break, for the
 * loopback OpenAI server. Each rule cites where it comes from; messages quoted from the real API (seen in
 * public bug reports) are kept verbatim, the others say so.
 */

interface ChatMessage {
  role?: unknown;
  tool_call_id?: unknown;
  tool_calls?: Array<{ id?: unknown }>;
}

/** A rule broken: OpenAI's error fields (`ErrorResponse` in openapi.yaml). */
export interface OpenAIViolation {
  message: string;
  param: string | null;
  code: string | null;
}

// `ChatCompletionRequestMessage` in OpenAI's OpenAPI spec (github.com/openai/openai-openapi, `openapi.yaml`)
// is a oneOf of the developer, system, user, assistant, tool and (deprecated) function messages.
const ROLES = ["system", "assistant", "user", "function", "tool", "developer"];

/** The first rule a chat completions body breaks (a `400 invalid_request_error`), or undefined. */
export function openAIRequestViolation(raw: unknown): OpenAIViolation | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const messages = (raw as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return undefined;
  let open: { index: number; ids: Set<string> } | undefined;
  for (const [index, message] of (messages as ChatMessage[]).entries()) {
    const role = message.role;
    // The real API's answer to an unknown role, verbatim (reported in many client issues); the roles are the
    // spec's message types above.
    if (typeof role !== "string" || !ROLES.includes(role))
      return {
        message: `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        param: `messages[${index}].role`,
        code: "invalid_value",
      };
    if (role === "tool") {
      // "ChatCompletionRequestToolMessage.tool_call_id: Tool call that this message is responding to"
      // (openapi.yaml), and the function-calling guide's flow: the tool results follow the assistant message
      // that made the calls. The real API's message, verbatim.
      if (!open || typeof message.tool_call_id !== "string" || !open.ids.has(message.tool_call_id))
        return {
          message:
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          param: `messages.[${index}].role`,
          code: null,
        };
      open.ids.delete(message.tool_call_id);
      continue;
    }
    // Every call of an assistant message gets its tool message before the conversation goes on. The real
    // API's message, verbatim.
    if (open && open.ids.size > 0)
      return {
        message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open.ids].join(", ")}`,
        param: `messages.[${open.index}].role`,
        code: null,
      };
    const calls = role === "assistant" && Array.isArray(message.tool_calls) ? message.tool_calls : [];
    open =
      calls.length > 0
        ? { index, ids: new Set(calls.map((call) => call.id).filter((id): id is string => typeof id === "string")) }
        : undefined;
  }
  return undefined;
}
