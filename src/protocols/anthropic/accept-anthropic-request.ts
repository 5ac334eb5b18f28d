import type { AnthropicMessage, AnthropicRequest, AnthropicTool } from "./anthropic-request-schema.js";
import { KNOWN_BLOCK_TYPES } from "./anthropic-request-schema.js";

/**
 * A hand-written accept path for the well-formed requests agents send, run before zod. zod's checks
 * are general machinery that runs as cold code in a gateway serving a request now and then; these
 * walk the same fields directly. Each returns true only when the schema in anthropic-request-schema.ts
 * accepts the value as it is (its objects are loose and nothing is transformed, so the value then
 * equals what zod would give back); false means "ask zod", which accepts the rarer shapes these leave
 * out and words the error for a bad request. They may refuse more than zod does, never less: the test
 * beside this file holds them to the schema.
 */

type Value = unknown;

/** zod's object check: any non-null, non-array object. */
const isObject = (value: Value): value is Record<string, Value> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * zod's record check asks for a plain object (its constructor's prototype owns `isPrototypeOf`); the
 * narrower test here (Object's own prototype, no own `constructor` key) is one every such object passes.
 */
const isPlainRecord = (value: Value): boolean =>
  isObject(value) && Object.getPrototypeOf(value) === Object.prototype && !Object.hasOwn(value, "constructor");

const isString = (value: Value): value is string => typeof value === "string";
const isNonEmptyString = (value: Value): boolean => typeof value === "string" && value.length > 0;
const isNumber = (value: Value): value is number => typeof value === "number" && Number.isFinite(value);
const isInteger = (value: Value): value is number => typeof value === "number" && Number.isSafeInteger(value);
const optional = (value: Value, check: (value: Value) => boolean): boolean => value === undefined || check(value);

const isCacheControl = (value: Value) => value === undefined || (isObject(value) && isString(value.type));

const isTextBlock = (block: Record<string, Value>) => isString(block.text) && isCacheControl(block.cache_control);

function isImageBlock(block: Record<string, Value>): boolean {
  const source = block.source;
  if (!isObject(source) || !isCacheControl(block.cache_control)) return false;
  if (source.type === "base64") return isString(source.media_type) && isString(source.data);
  return source.type === "url" && isString(source.url);
}

/** An element of a tool result's content: text, an image, or a block of a type the schema keeps whole. */
function isToolResultItem(item: Value): boolean {
  if (!isObject(item) || !isString(item.type)) return false;
  if (item.type === "text") return isTextBlock(item);
  if (item.type === "image") return isImageBlock(item);
  return !KNOWN_BLOCK_TYPES.has(item.type);
}

function isContentBlock(block: Value): boolean {
  if (!isObject(block) || !isString(block.type)) return false;
  switch (block.type) {
    case "text":
      return isTextBlock(block);
    case "image":
      return isImageBlock(block);
    case "thinking":
      return isString(block.thinking) && optional(block.signature, isString);
    case "redacted_thinking":
      return isString(block.data);
    case "tool_use":
      return (
        isNonEmptyString(block.id) &&
        isNonEmptyString(block.name) &&
        isPlainRecord(block.input) &&
        isCacheControl(block.cache_control)
      );
    case "tool_result": {
      const content = block.content;
      const contentOk =
        content === undefined || isString(content) || (Array.isArray(content) && content.every(isToolResultItem));
      return (
        contentOk &&
        isNonEmptyString(block.tool_use_id) &&
        optional(block.is_error, (value) => typeof value === "boolean") &&
        isCacheControl(block.cache_control)
      );
    }
    default:
      // Any other type is kept whole; only its `type` is checked.
      return true;
  }
}

/** One message as `anthropicMessageSchema` takes it. */
export function acceptsAnthropicMessage(raw: Value): raw is AnthropicMessage {
  if (!isObject(raw)) return false;
  const role = raw.role;
  if (role !== "user" && role !== "assistant" && role !== "system") return false;
  const content = raw.content;
  return isString(content) || (Array.isArray(content) && content.every(isContentBlock));
}

function isTool(tool: Value): boolean {
  return (
    isObject(tool) &&
    isNonEmptyString(tool.name) &&
    optional(tool.type, isString) &&
    optional(tool.description, isString) &&
    optional(tool.input_schema, isPlainRecord) &&
    isCacheControl(tool.cache_control)
  );
}

/** A tool list as `anthropicToolsSchema` takes it. */
export function acceptsAnthropicTools(raw: Value): raw is AnthropicTool[] {
  return Array.isArray(raw) && raw.every(isTool);
}

const TOOL_CHOICE_TYPES = new Set(["auto", "any", "tool", "none"]);
const THINKING_TYPES = new Set(["enabled", "disabled", "adaptive"]);

function isToolChoice(choice: Value): boolean {
  return (
    isObject(choice) &&
    isString(choice.type) &&
    TOOL_CHOICE_TYPES.has(choice.type) &&
    optional(choice.name, isString) &&
    optional(choice.disable_parallel_tool_use, (value) => typeof value === "boolean")
  );
}

const isThinking = (thinking: Value) =>
  isObject(thinking) &&
  isString(thinking.type) &&
  THINKING_TYPES.has(thinking.type) &&
  optional(thinking.budget_tokens, isInteger);

const isOutputConfig = (config: Value) =>
  isObject(config) &&
  optional(config.effort, isString) &&
  optional(
    config.format,
    (format) => isObject(format) && isString(format.type) && optional(format.schema, isPlainRecord),
  );

const isSystem = (system: Value) =>
  isString(system) ||
  (Array.isArray(system) && system.every((block) => isObject(block) && block.type === "text" && isTextBlock(block)));

/**
 * The request's own members as `anthropicRequestSchema` takes them (messages and tools are checked one
 * by one later, as the schema leaves them to).
 */
export function acceptsAnthropicRequest(raw: Value): raw is AnthropicRequest {
  if (!isObject(raw)) return false;
  const { messages, max_tokens: maxTokens, temperature, top_p: topP, metadata } = raw;
  return (
    isNonEmptyString(raw.model) &&
    Array.isArray(messages) &&
    messages.length > 0 &&
    isInteger(maxTokens) &&
    maxTokens > 0 &&
    optional(raw.system, isSystem) &&
    optional(raw.tool_choice, isToolChoice) &&
    optional(temperature, (value) => isNumber(value) && value >= 0 && value <= 2) &&
    optional(topP, (value) => isNumber(value) && value >= 0 && value <= 1) &&
    optional(raw.top_k, (value) => isInteger(value) && value >= 0) &&
    optional(raw.stop_sequences, (value) => Array.isArray(value) && value.every(isString)) &&
    optional(raw.stream, (value) => typeof value === "boolean") &&
    optional(raw.thinking, isThinking) &&
    optional(raw.output_config, isOutputConfig) &&
    optional(
      metadata,
      (value) => isObject(value) && (value.user_id === undefined || value.user_id === null || isString(value.user_id)),
    )
  );
}
