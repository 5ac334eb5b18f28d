import { randomBytes } from "node:crypto";
import type { StopReason, Usage } from "../../core/canonical.js";
import type { CollectedMessage } from "../../core/collect-message.js";
import type { SwitchyardError } from "../../core/errors.js";
import { openAIErrorBody } from "../openai/openai-errors.js";
import type { ResponsesToolNames } from "./responses-tools.js";

/** An id in OpenAI's style: a type prefix (`resp`, `msg`, `rs`, `fc`, `ctc`) and 48 hex digits. */
export const responsesId = (prefix: string) => `${prefix}_${randomBytes(24).toString("hex")}`;

export type OutputItem = Record<string, unknown> & { type: string; id: string };

/**
 * Canonical usage in the Responses API's terms (https://platform.openai.com/docs/api-reference/responses/object):
 * `input_tokens` counts every prompt token, `cached_tokens` the reused part; `reasoning_tokens`, of the
 * output, the model's reasoning (Codex shows it), 0 where the backend does not tell it apart, as OpenAI
 * reports for a model that did not reason.
 */
export function responsesUsage(usage: Usage) {
  const input = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: input + usage.outputTokens,
  };
}

/** `completed`, or `incomplete` with its reason when the answer stopped at the output limit. */
export function responseStatus(stopReason: StopReason | undefined) {
  if (stopReason?.unified === "max_tokens")
    return { status: "incomplete" as const, incomplete_details: { reason: "max_output_tokens" } };
  if (stopReason?.unified === "refusal")
    return { status: "incomplete" as const, incomplete_details: { reason: "content_filter" } };
  return { status: "completed" as const, incomplete_details: null };
}

/** The `response` object: what `response.created` opens with and the last event (or the whole body) closes with. */
export function responseObject(fields: {
  id: string;
  createdAt: number;
  model: string;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  output: OutputItem[];
  usage: Usage | undefined;
  incompleteDetails?: { reason: string } | null;
  error?: SwitchyardError;
}) {
  const error = fields.error ? openAIErrorBody(fields.error).error : undefined;
  return {
    id: fields.id,
    object: "response" as const,
    created_at: fields.createdAt,
    status: fields.status,
    error: error ? { code: error.code ?? error.type, message: error.message } : null,
    incomplete_details: fields.incompleteDetails ?? null,
    model: fields.model,
    output: fields.output,
    previous_response_id: null,
    store: false,
    usage: fields.usage ? responsesUsage(fields.usage) : null,
  };
}

export const reasoningItem = (id: string, text: string): OutputItem => ({
  id,
  type: "reasoning",
  summary: [],
  content: [{ type: "reasoning_text", text }],
});

export const messageItem = (id: string, text: string, status = "completed"): OutputItem => ({
  id,
  type: "message",
  status,
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
});

/**
 * A call the model made, in the client's terms: a `function_call` (naming its namespace, if its tool is in
 * one), or for a `custom` tool a `custom_tool_call` whose `input` is the call's one string argument.
 */
export function callItem(
  names: ResponsesToolNames,
  fields: { id: string; callId: string; modelName: string; argumentsJson: string; status?: string },
): OutputItem {
  const tool = names.clientTool(fields.modelName);
  const argumentsJson = fields.argumentsJson.trim() === "" ? "{}" : fields.argumentsJson;
  if (tool.custom) {
    return {
      id: fields.id.replace(/^fc_/, "ctc_"),
      type: "custom_tool_call",
      status: fields.status ?? "completed",
      call_id: fields.callId,
      name: tool.name,
      input: customInput(argumentsJson),
    };
  }
  return {
    id: fields.id,
    type: "function_call",
    status: fields.status ?? "completed",
    call_id: fields.callId,
    name: tool.name,
    ...(tool.namespace !== undefined ? { namespace: tool.namespace } : {}),
    arguments: argumentsJson,
  };
}

/** The `input` argument of a call to a custom tool; the arguments as they came when the model wrote no such string. */
function customInput(argumentsJson: string): string {
  try {
    const parsed = JSON.parse(argumentsJson) as { input?: unknown };
    if (typeof parsed?.input === "string") return parsed.input;
  } catch {}
  return argumentsJson;
}

/**
 * A collected message as a non-streaming Responses body: one output item per block, in order (reasoning,
 * the answer, its calls). Redacted thinking has no Responses form a local model made, and is left out.
 */
export function responsesBody(message: CollectedMessage, names: ResponsesToolNames, createdAt: number) {
  const output: OutputItem[] = [];
  for (const block of message.blocks) {
    // Collected blocks are stored by canonical index, so a backend that skipped one leaves a hole.
    if (!block) continue;
    if (block.type === "thinking") output.push(reasoningItem(responsesId("rs"), block.thinking));
    else if (block.type === "text") output.push(messageItem(responsesId("msg"), block.text));
    else if (block.type === "tool_call")
      output.push(
        callItem(names, {
          id: responsesId("fc"),
          callId: block.id,
          modelName: block.name,
          argumentsJson: block.inputJson,
        }),
      );
  }
  const { status, incomplete_details } = responseStatus(message.stopReason);
  return responseObject({
    id: message.id.startsWith("resp_") ? message.id : responsesId("resp"),
    createdAt,
    model: message.model,
    status,
    output,
    usage: message.usage,
    incompleteDetails: incomplete_details,
  });
}
