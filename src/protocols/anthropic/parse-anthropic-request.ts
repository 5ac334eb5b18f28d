import type {
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  OpaquePart,
  TextPart,
  ThinkingMode,
  ToolChoice,
  ToolDefinition,
  ToolResultContent,
} from "../../core/canonical.js";
import { invalidRequest } from "../../core/errors.js";
import { rememberFrozen } from "../../util/remember-frozen.js";
import { checkPart, describeIssues, normalizeHeaders } from "../request-validation.js";
import { acceptsAnthropicMessage, acceptsAnthropicRequest, acceptsAnthropicTools } from "./accept-anthropic-request.js";
import {
  type AnthropicContentBlock,
  type AnthropicKnownBlock,
  type AnthropicMessage,
  type AnthropicRequest,
  type AnthropicTool,
  anthropicCountTokensSchema,
  anthropicMessageSchema,
  anthropicRequestSchema,
  anthropicToolsSchema,
  KNOWN_BLOCK_TYPES,
} from "./anthropic-request-schema.js";

const isKnown = (block: AnthropicContentBlock): block is AnthropicKnownBlock => KNOWN_BLOCK_TYPES.has(block.type);

/** A block the canonical model does not take apart, kept as the client sent it. */
const opaque = (block: AnthropicContentBlock): OpaquePart => ({ type: "opaque", blockType: block.type, raw: block });

function convertMedia(block: AnthropicContentBlock): ToolResultContent {
  if (!isKnown(block)) return opaque(block);
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "image":
      return {
        type: "image",
        source:
          block.source.type === "base64"
            ? { kind: "base64", mediaType: block.source.media_type, data: block.source.data }
            : { kind: "url", url: block.source.url },
      };
    default:
      throw invalidRequest(`a ${block.type} block cannot stand inside a tool_result`);
  }
}

function convertBlock(block: AnthropicContentBlock): CanonicalPart {
  if (!isKnown(block)) return opaque(block);
  switch (block.type) {
    case "text":
    case "image":
      return convertMedia(block);
    case "thinking":
      return { type: "thinking", text: block.thinking, signature: block.signature };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: block.data };
    case "tool_use":
      return { type: "tool_call", id: block.id, name: block.name, input: block.input };
    case "tool_result": {
      const content = block.content ?? [];
      return {
        type: "tool_result",
        toolCallId: block.tool_use_id,
        content: typeof content === "string" ? [{ type: "text", text: content }] : content.map(convertMedia),
        isError: block.is_error ?? false,
      };
    }
    default: {
      const never: never = block;
      throw invalidRequest(`unknown content block ${JSON.stringify(never)}`);
    }
  }
}

/** A message the accept path left to zod: zod's value, or its error naming the field. */
function checkedByZod(raw: unknown, index: number): AnthropicMessage {
  return checkPart(anthropicMessageSchema, raw, ["messages", index]);
}

/** Checked and converted messages, by the frozen message they came from. */
const checkedMessages = new WeakMap<object, CanonicalMessage>();

/** One message checked and converted on its own; a frozen one only the first time it is seen. */
function canonicalMessage(raw: unknown, index: number): CanonicalMessage {
  return rememberFrozen(checkedMessages, raw, () => {
    const message: AnthropicMessage = acceptsAnthropicMessage(raw) ? raw : checkedByZod(raw, index);
    const parts: CanonicalPart[] =
      typeof message.content === "string"
        ? [{ type: "text", text: message.content }]
        : message.content.map(convertBlock);
    return { role: message.role, parts };
  });
}

/** The messages converted, with what holds across messages checked: tool use and results in the right roles and order. */
function convertMessages(messages: unknown[]): CanonicalMessage[] {
  const toolCalls = new Set<string>();
  return messages.map((raw, index) => {
    const message = canonicalMessage(raw, index);
    for (const part of message.parts) {
      if (part.type === "tool_call") {
        if (message.role !== "assistant")
          throw invalidRequest(`messages.${index}: tool_use blocks belong to assistant messages`);
        toolCalls.add(part.id);
      }
      if (part.type === "tool_result") {
        if (message.role !== "user")
          throw invalidRequest(`messages.${index}: tool_result blocks belong to user messages`);
        if (!toolCalls.has(part.toolCallId)) {
          throw invalidRequest(
            `messages.${index}: tool_result for tool_use_id ${part.toolCallId}, but no earlier tool_use has that id`,
          );
        }
      }
    }
    return message;
  });
}

function convertToolChoice(choice: AnthropicRequest["tool_choice"]): ToolChoice | undefined {
  if (!choice) return undefined;
  const parallel = !choice.disable_parallel_tool_use;
  switch (choice.type) {
    case "auto":
      return { type: "auto", parallel };
    case "any":
      return { type: "any", parallel };
    case "none":
      return { type: "none" };
    case "tool":
      if (!choice.name) throw invalidRequest("tool_choice.name: required when tool_choice.type is tool");
      return { type: "tool", name: choice.name, parallel };
  }
}

/**
 * Server tools (web search, code execution: they carry a `type` and no `input_schema`) run inside
 * Anthropic's cloud; a local model cannot call them, so they are left out of local requests.
 */
function convertTools(tools: AnthropicTool[]): ToolDefinition[] {
  return tools
    .filter((tool) => tool.input_schema !== undefined)
    .map((tool) => ({ name: tool.name, description: tool.description ?? "", inputSchema: tool.input_schema ?? {} }));
}

/** Checked and converted tool lists, by the frozen list they came from. */
const checkedTools = new WeakMap<object, ToolDefinition[]>();

/** The `tools` member checked and converted; a frozen list only the first time it is seen. */
function canonicalTools(raw: unknown): ToolDefinition[] {
  if (raw === undefined) return [];
  return rememberFrozen(checkedTools, raw, () => {
    if (acceptsAnthropicTools(raw)) return convertTools(raw);
    return convertTools(checkPart(anthropicToolsSchema, raw, ["tools"]));
  });
}

/** Converted system prompts, by the frozen block list they came from. */
const convertedSystems = new WeakMap<object, TextPart[]>();

/** The system prompt as text parts; `raw` is the body's own list (checked as `system`), remembered by when frozen. */
function canonicalSystem(system: AnthropicRequest["system"], raw: unknown): TextPart[] {
  if (typeof system === "string") return [{ type: "text", text: system }];
  return rememberFrozen(convertedSystems, raw, () =>
    (system ?? []).map((block): TextPart => ({ type: "text", text: block.text })),
  );
}

function sessionUserId(metadata: AnthropicRequest["metadata"]): string | undefined {
  return metadata?.user_id ?? undefined;
}

function toCanonical(
  body: AnthropicRequest,
  raw: unknown,
  headers: Record<string, string | string[] | undefined>,
): CanonicalRequest {
  const system = canonicalSystem(body.system, (raw as { system?: unknown }).system);
  const thinking: ThinkingMode = body.thinking?.type ?? "disabled";
  const format = body.output_config?.format;
  if (format && format.type !== "json_schema") {
    throw invalidRequest(`output_config.format.type: only json_schema is supported, not ${format.type}`);
  }
  return {
    model: body.model,
    system,
    messages: convertMessages(body.messages),
    tools: canonicalTools(body.tools),
    toolChoice: convertToolChoice(body.tool_choice),
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    stopSequences: body.stop_sequences ?? [],
    thinking: { mode: thinking, budgetTokens: body.thinking?.budget_tokens },
    responseFormat: format?.schema ? { type: "json_schema", schema: format.schema } : undefined,
    effort: body.output_config?.effort,
    stream: body.stream ?? false,
    client: {
      protocol: "anthropic",
      headers: normalizeHeaders(headers),
      body: raw,
      userId: sessionUserId(body.metadata),
    },
  };
}

/** Validates an Anthropic Messages body and converts it; throws an invalid_request error naming the field. */
export function parseAnthropicRequest(
  raw: unknown,
  headers: Record<string, string | string[] | undefined> = {},
): CanonicalRequest {
  // The common well-formed shape is accepted by hand; zod takes the rest and words the errors.
  if (acceptsAnthropicRequest(raw)) return toCanonical(raw, raw, headers);
  const parsed = anthropicRequestSchema.safeParse(raw);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error));
  return toCanonical(parsed.data, raw, headers);
}

/** The same for count_tokens, whose body has no max_tokens. */
export function parseAnthropicCountTokensRequest(
  raw: unknown,
  headers: Record<string, string | string[] | undefined> = {},
): CanonicalRequest {
  const parsed = anthropicCountTokensSchema.safeParse(raw);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error));
  return toCanonical({ ...parsed.data, max_tokens: parsed.data.max_tokens ?? 1 }, raw, headers);
}
