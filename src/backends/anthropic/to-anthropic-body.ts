import type { CanonicalPart, CanonicalRequest, ToolResultContent } from "../../core/canonical.js";

function media(part: ToolResultContent) {
  if (part.type === "text") return { type: "text", text: part.text };
  // Kept whole from an Anthropic client: written back as it came.
  if (part.type === "opaque") return part.raw;
  return part.source.kind === "base64"
    ? { type: "image", source: { type: "base64", media_type: part.source.mediaType, data: part.source.data } }
    : { type: "image", source: { type: "url", url: part.source.url } };
}

function block(part: CanonicalPart) {
  switch (part.type) {
    case "text":
    case "image":
    case "opaque":
      return media(part);
    case "thinking":
      return { type: "thinking", thinking: part.text, signature: part.signature ?? "" };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: part.data };
    case "tool_call":
      return { type: "tool_use", id: part.id, name: part.name, input: part.input };
    case "tool_result":
      return {
        type: "tool_result",
        tool_use_id: part.toolCallId,
        content: part.content.map(media),
        is_error: part.isError,
      };
  }
}

/**
 * The Anthropic Messages body for a request. A request that came in through the Anthropic door passes
 * through as the client sent it (cache_control, betas and signatures intact), with only the model and
 * streaming changed; one from another protocol is built from the canonical model.
 */
export function toAnthropicBody(request: CanonicalRequest, model: string): Record<string, unknown> {
  if (request.client.protocol === "anthropic" && request.client.body && typeof request.client.body === "object") {
    return { ...(request.client.body as Record<string, unknown>), model, stream: true };
  }
  const body: Record<string, unknown> = {
    model,
    max_tokens: request.maxTokens,
    stream: true,
    messages: request.messages.map((message) => ({ role: message.role, content: message.parts.map(block) })),
  };
  if (request.system.length > 0) body.system = request.system.map((part) => ({ type: "text", text: part.text }));
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.inputSchema,
    }));
  }
  if (request.toolChoice) {
    const choice = request.toolChoice;
    body.tool_choice =
      choice.type === "none"
        ? { type: "none" }
        : {
            type: choice.type,
            ...(choice.type === "tool" ? { name: choice.name } : {}),
            disable_parallel_tool_use: !choice.parallel,
          };
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stopSequences.length > 0) body.stop_sequences = request.stopSequences;
  if (request.thinking.mode === "adaptive") body.thinking = { type: "adaptive" };
  if (request.thinking.mode === "enabled") {
    // Anthropic wants 1024 <= budget_tokens < max_tokens; without room for that, no thinking.
    const budget = request.thinking.budgetTokens ?? Math.min(4096, request.maxTokens - 1);
    if (budget >= 1024 && budget < request.maxTokens) body.thinking = { type: "enabled", budget_tokens: budget };
  }
  return body;
}
