import type { CanonicalRequest, ThinkingMode, ToolChoice, ToolDefinition } from "../../core/canonical.js";
import { invalidRequest } from "../../core/errors.js";
import { describeIssues, normalizeHeaders } from "../request-validation.js";
import { convertOpenAIMessages } from "./convert-openai-messages.js";
import { type OpenAIChatRequest, openAIChatRequestSchema } from "./openai-request-schema.js";

/** The output budget when the client sets neither `max_completion_tokens` nor `max_tokens`. */
export const DEFAULT_OPENAI_MAX_TOKENS = 4096;

function convertTools(tools: OpenAIChatRequest["tools"]): ToolDefinition[] {
  return (tools ?? []).map(({ function: fn }) => ({
    name: fn.name,
    description: fn.description ?? "",
    // OpenAI: leaving `parameters` out defines a function that takes no arguments.
    inputSchema: fn.parameters ?? { type: "object", properties: {} },
  }));
}

function convertToolChoice(body: OpenAIChatRequest): ToolChoice | undefined {
  const parallel = body.parallel_tool_calls ?? true;
  const choice = body.tool_choice;
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", parallel };
  if (choice === "auto") return { type: "auto", parallel };
  if (choice) return { type: "tool", name: choice.function.name, parallel };
  // No choice, but parallel calls switched off: that is still "auto", with a constraint.
  if (body.parallel_tool_calls === false && (body.tools?.length ?? 0) > 0) return { type: "auto", parallel };
  return undefined;
}

/**
 * Which switch decides thinking, most explicit first: a `thinking` object, `reasoning_effort`
 * (none/minimal turn it off), llama.cpp's `chat_template_kwargs.enable_thinking`; otherwise off.
 */
function convertThinking(body: OpenAIChatRequest): CanonicalRequest["thinking"] {
  if (body.thinking) return { mode: body.thinking.type, budgetTokens: body.thinking.budget_tokens ?? undefined };
  const effort = body.reasoning_effort;
  if (effort) return { mode: effort === "none" || effort === "minimal" ? "disabled" : "enabled" };
  const mode: ThinkingMode = body.chat_template_kwargs?.enable_thinking === true ? "enabled" : "disabled";
  return { mode };
}

function convertResponseFormat(format: OpenAIChatRequest["response_format"]): CanonicalRequest["responseFormat"] {
  if (!format || format.type === "text") return undefined;
  // JSON mode asks for any JSON object, which is exactly this schema.
  if (format.type === "json_object") return { type: "json_schema", schema: { type: "object" } };
  return { type: "json_schema", schema: format.json_schema.schema ?? {} };
}

function sessionUserId(body: OpenAIChatRequest): string | undefined {
  if (body.user) return body.user;
  const fromMetadata = body.metadata?.user_id ?? body.metadata?.user;
  return typeof fromMetadata === "string" && fromMetadata !== "" ? fromMetadata : undefined;
}

/** Validates an OpenAI Chat Completions body and converts it; throws an invalid_request error naming the field. */
export function parseOpenAIChatRequest(
  raw: unknown,
  headers: Record<string, string | string[] | undefined> = {},
): CanonicalRequest {
  const parsed = openAIChatRequestSchema.safeParse(raw);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error));
  const body = parsed.data;
  const { system, messages } = convertOpenAIMessages(body.messages);
  const stop = body.stop ?? [];
  return {
    model: body.model,
    system,
    messages,
    tools: convertTools(body.tools),
    toolChoice: convertToolChoice(body),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_OPENAI_MAX_TOKENS,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    topK: body.top_k ?? undefined,
    stopSequences: typeof stop === "string" ? [stop] : stop,
    thinking: convertThinking(body),
    responseFormat: convertResponseFormat(body.response_format),
    // OpenAI's own effort word, kept for cloud backends and records (thinking above already follows it).
    effort: body.reasoning_effort ?? undefined,
    stream: body.stream ?? false,
    client: { protocol: "openai", headers: normalizeHeaders(headers), body: raw, userId: sessionUserId(body) },
  };
}

/** Whether a streaming client asked for the final usage chunk (`stream_options.include_usage`). */
export function openAIStreamIncludesUsage(request: CanonicalRequest): boolean {
  if (request.client.protocol !== "openai") return false;
  const body = request.client.body as { stream_options?: { include_usage?: unknown } | null } | null | undefined;
  return body?.stream_options?.include_usage === true;
}
