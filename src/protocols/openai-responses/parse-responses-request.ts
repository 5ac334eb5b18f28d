import type {
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  OpaquePart,
  TextPart,
  ThinkingMode,
  ToolResultContent,
} from "../../core/canonical.js";
import { invalidRequest } from "../../core/errors.js";
import { toolCallInput } from "../../core/tool-call-input.js";
import { imagePart } from "../openai/convert-openai-messages.js";
import { checkPart as check, describeIssues, normalizeHeaders } from "../request-validation.js";
import {
  customToolCall,
  customToolCallOutput,
  functionCall,
  functionCallOutput,
  type InputContentPart,
  inputMessage,
  outputMessage,
  type ResponsesRequest,
  reasoning,
  responsesRequestSchema,
} from "./responses-request-schema.js";
import { convertResponsesToolChoice, type ResponsesToolNames, toolNamesOf } from "./responses-tools.js";

/**
 * The output budget when the client sets no `max_output_tokens`. The Responses API caps an answer only by
 * the context; the gateway lowers this to what the context leaves (routing/clamp-max-tokens.ts), as it does
 * Claude Code's 32,000.
 */
export const DEFAULT_RESPONSES_MAX_OUTPUT_TOKENS = 32_000;

type Built = { role: CanonicalMessage["role"]; parts: CanonicalPart[] };

function contentParts(content: string | InputContentPart[], path: string): ToolResultContent[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((part, index): ToolResultContent => {
    const at = `${path}.${index}`;
    switch (part.type) {
      case "input_text":
        return { type: "text", text: part.text };
      case "input_image":
        if (part.image_url) return imagePart(part.image_url, `${at}.image_url`);
        throw invalidRequest(`${at}: an image by file_id refers to a file stored with OpenAI; send it as image_url`);
      case "input_file":
        if (part.file_id && !part.file_data && !part.file_url)
          throw invalidRequest(`${at}: a file by file_id refers to a file stored with OpenAI; send it as file_data`);
        // Read what a local model can of it (backends/opaque-block-text.ts); a cloud backend gets it whole.
        return { type: "opaque", blockType: "input_file", raw: part } satisfies OpaquePart;
      default: {
        const never: never = part;
        throw invalidRequest(`${at}: unknown content part ${JSON.stringify(never)}`);
      }
    }
  });
}

/** Reasoning a model can read again: its text if the client kept it, else its summary; encrypted only: none. */
function reasoningText(item: { summary?: Array<{ text: string }> | null; content?: Array<{ text: string }> | null }) {
  const content = (item.content ?? []).map((part) => part.text).join("");
  return content !== "" ? content : (item.summary ?? []).map((part) => part.text).join("\n\n");
}

/**
 * Responses input items → canonical system prompt and conversation.
 * - `instructions` and the leading run of system/developer messages are the system prompt; later ones
 *   stay where they stand as `system` messages.
 * - Reasoning, assistant messages and tool calls that follow each other are one assistant message, in
 *   their order; tool outputs that follow each other are one user message of tool results.
 * - An output must answer a call made earlier in the input (OpenAI refuses it otherwise).
 * - An item type this code does not know is kept whole as an opaque part (a local model reads a note
 *   that it was there), so a conversation that holds one is not refused.
 * - `item_reference` and `previous_response_id` need responses stored by the server: Switchyard stores
 *   none, so they are refused, naming what to send instead.
 */
function convertInput(body: ResponsesRequest, names: ResponsesToolNames) {
  const system: TextPart[] = body.instructions ? [{ type: "text", text: body.instructions }] : [];
  const out: Built[] = [];
  const callIds = new Set<string>();
  const push = (role: Built["role"], part: CanonicalPart) => {
    const last = out.at(-1);
    // Tool results join the results before them; model output joins the output before it.
    const joins =
      last?.role === role &&
      (role === "assistant" ||
        (part.type === "tool_result" && last.parts.every((earlier) => earlier.type === "tool_result")));
    if (joins) last.parts.push(part);
    else out.push({ role, parts: [part] });
  };
  const items = typeof body.input === "string" ? [{ role: "user", content: body.input }] : body.input;
  for (const [index, raw] of items.entries()) {
    const at = ["input", index];
    const path = `input.${index}`;
    const type = raw && typeof raw === "object" ? ((raw as { type?: unknown }).type ?? "message") : undefined;
    if (typeof type !== "string") throw invalidRequest(`${path}: expected an input item object with a type`);
    switch (type) {
      case "message": {
        const role = (raw as { role?: unknown }).role;
        if (role === "assistant") {
          const message = check(outputMessage, raw, at);
          const texts =
            typeof message.content === "string"
              ? [message.content]
              : message.content.map((part) => (part.type === "refusal" ? part.refusal : part.text));
          for (const text of texts) if (text !== "") push("assistant", { type: "text", text });
          break;
        }
        const message = check(inputMessage, raw, at);
        const parts = contentParts(message.content, `${path}.content`);
        if (message.role === "user") out.push({ role: "user", parts });
        else {
          const texts = parts.filter((part): part is TextPart => part.type === "text");
          if (texts.length !== parts.length)
            throw invalidRequest(`${path}.content: a ${message.role} message holds text only`);
          if (out.length === 0) system.push(...texts);
          else out.push({ role: "system", parts: texts });
        }
        break;
      }
      case "reasoning": {
        const text = reasoningText(check(reasoning, raw, at));
        if (text !== "") push("assistant", { type: "thinking", text });
        break;
      }
      case "function_call": {
        const call = check(functionCall, raw, at);
        callIds.add(call.call_id);
        push("assistant", {
          type: "tool_call",
          id: call.call_id,
          name: names.modelName(call.name, call.namespace),
          input: toolCallInput(call.arguments),
        });
        break;
      }
      case "custom_tool_call": {
        const call = check(customToolCall, raw, at);
        callIds.add(call.call_id);
        push("assistant", {
          type: "tool_call",
          id: call.call_id,
          name: names.modelName(call.name),
          input: { input: call.input },
        });
        break;
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        const result = check(type === "function_call_output" ? functionCallOutput : customToolCallOutput, raw, at);
        if (!callIds.has(result.call_id))
          throw invalidRequest(`${path}.call_id: ${result.call_id} matches no tool call earlier in the input`);
        push("user", {
          type: "tool_result",
          toolCallId: result.call_id,
          content: contentParts(result.output, `${path}.output`),
          isError: false,
        });
        break;
      }
      case "item_reference":
        throw invalidRequest(
          `${path}: item_reference needs responses stored by the server; Switchyard stores none, so send the items themselves`,
        );
      default: {
        // Output of a tool OpenAI runs itself (web_search_call, …) or an item newer than this code.
        const part: OpaquePart = { type: "opaque", blockType: type, raw: raw as Record<string, unknown> };
        push(type.endsWith("_output") ? "user" : "assistant", part);
      }
    }
  }
  return { system, messages: out };
}

/** `reasoning.effort` decides thinking: none/minimal turn it off, any other effort on; without one, off. */
function convertThinking(body: ResponsesRequest): CanonicalRequest["thinking"] {
  const effort = body.reasoning?.effort;
  const mode: ThinkingMode = effort && effort !== "none" && effort !== "minimal" ? "enabled" : "disabled";
  return { mode };
}

function convertTextFormat(body: ResponsesRequest): CanonicalRequest["responseFormat"] {
  const format = body.text?.format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_schema", schema: { type: "object" } };
  return { type: "json_schema", schema: format.schema };
}

/** Validates an OpenAI Responses body and converts it; throws an invalid_request error naming the field. */
export function parseResponsesRequest(
  raw: unknown,
  headers: Record<string, string | string[] | undefined> = {},
): CanonicalRequest {
  const parsed = responsesRequestSchema.safeParse(raw);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error));
  const body = parsed.data;
  if (body.previous_response_id)
    throw invalidRequest(
      "previous_response_id: Switchyard stores no responses; send the whole conversation in input (store: false)",
    );
  if (body.conversation !== undefined && body.conversation !== null)
    throw invalidRequest("conversation: Switchyard stores no conversations; send the whole conversation in input");
  if (body.background) throw invalidRequest("background: responses run in the foreground only");
  const names = toolNamesOf((raw as { tools?: unknown }).tools);
  const { system, messages } = convertInput(body, names);
  if (messages.length === 0) throw invalidRequest("input: at least one message is required");
  return {
    model: body.model,
    system,
    messages,
    tools: names.definitions,
    toolChoice: convertResponsesToolChoice(body, names),
    maxTokens: body.max_output_tokens ?? DEFAULT_RESPONSES_MAX_OUTPUT_TOKENS,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    topK: undefined,
    stopSequences: [],
    thinking: convertThinking(body),
    responseFormat: convertTextFormat(body),
    effort: body.reasoning?.effort ?? undefined,
    stream: body.stream ?? false,
    client: {
      protocol: "openai",
      headers: normalizeHeaders(headers),
      body: raw,
      userId: body.safety_identifier ?? body.user ?? undefined,
    },
  };
}

/** The tool names of a parsed request's body, for the answer's way back (the body was checked by the parse). */
export function responsesToolNames(request: CanonicalRequest): ResponsesToolNames {
  return toolNamesOf((request.client.body as { tools?: unknown }).tools);
}
