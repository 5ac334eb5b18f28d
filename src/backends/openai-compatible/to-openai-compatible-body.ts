import type { CanonicalRequest } from "../../core/canonical.js";
import { chatTemplateKwargs, toChatCompletionsBody } from "../chat-completions/to-chat-completions-body.js";
import { toolsAsText } from "../tools-as-text.js";
import { OPENAI_SERVER_COMPAT, type OpenAIServerCompat } from "./openai-server-compat.js";

/**
 * The Chat Completions body for an OpenAI-style server: the standard body, plus `chat_template_kwargs`
 * and `top_k` where the server's compat data says it takes them (vLLM, SGLang); a hosted API gets the
 * standard body alone. A server that cannot read tool calls gets its tools, calls and results as text.
 */
export function toOpenAICompatibleBody(
  given: CanonicalRequest,
  model: string,
  compat: OpenAIServerCompat = OPENAI_SERVER_COMPAT["openai-compatible"],
): Record<string, unknown> {
  const request = compat.toolsAsText ? toolsAsText(given) : given;
  const body = toChatCompletionsBody(request, model, compat);
  if (compat.chatTemplateKwargs) body.chat_template_kwargs = chatTemplateKwargs(request, compat.templateKwargs);
  if (compat.topK && request.topK !== undefined) body.top_k = request.topK;
  return body;
}
