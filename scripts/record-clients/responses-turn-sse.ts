import { roughTokens, type ScriptedTurn } from "./scripted-turn.js";

/**
 * A scripted turn as an OpenAI Responses stream, shaped like the API reference's streaming events
 * (https://platform.openai.com/docs/api-reference/responses-streaming): `response.created`, then per output
 * item `response.output_item.added`, its part and deltas (`reasoning_text` for thinking, `output_text` for
 * text, `function_call_arguments` for a call), its `.done` events and `response.output_item.done`, then
 * `response.completed` with every item and the usage. Each frame is named (`event:`) and numbered
 * (`sequence_number`), as OpenAI's are.
 */
export function responsesTurnSse(
  turn: ScriptedTurn,
  options: { model: string; responseId: string; inputText: string },
) {
  let sequence = 0;
  let out = "";
  const emit = (type: string, fields: Record<string, unknown>) => {
    out += `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: sequence++ })}\n\n`;
  };
  const createdAt = 1_767_225_600; // fixed, so re-recording changes nothing the client sees but what it sends
  const response = (status: string, output: unknown[], usage: unknown = null) => ({
    id: options.responseId,
    object: "response",
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: null,
    model: options.model,
    output,
    usage,
  });
  const output: Array<Record<string, unknown>> = [];
  const itemId = (prefix: string) => `${prefix}_${options.responseId.slice("resp_".length)}_${output.length}`;
  /** One item whose text streams as one part: a message's output_text or reasoning's reasoning_text. */
  const textItem = (item: Record<string, unknown>, partType: string, text: string) => {
    const at = { item_id: item.id, output_index: output.length };
    emit("response.output_item.added", { output_index: output.length, item: { ...item, content: [] } });
    const part =
      partType === "output_text" ? { type: partType, text: "", annotations: [] } : { type: partType, text: "" };
    emit("response.content_part.added", { ...at, content_index: 0, part });
    const prefix = partType === "output_text" ? "response.output_text" : "response.reasoning_text";
    emit(`${prefix}.delta`, { ...at, content_index: 0, delta: text });
    emit(`${prefix}.done`, { ...at, content_index: 0, text });
    const whole = { ...part, text };
    emit("response.content_part.done", { ...at, content_index: 0, part: whole });
    const done = { ...item, ...(item.type === "message" ? { status: "completed" } : {}), content: [whole] };
    emit("response.output_item.done", { output_index: output.length, item: done });
    output.push(done);
  };

  emit("response.created", { response: response("in_progress", []) });
  emit("response.in_progress", { response: response("in_progress", []) });
  let outputText = "";
  if (turn.thinking !== undefined) {
    textItem({ id: itemId("rs"), type: "reasoning", summary: [] }, "reasoning_text", turn.thinking);
    outputText += turn.thinking;
  }
  if (turn.text !== undefined) {
    textItem(
      { id: itemId("msg"), type: "message", status: "in_progress", role: "assistant" },
      "output_text",
      turn.text,
    );
    outputText += turn.text;
  }
  for (const call of turn.toolCalls ?? []) {
    const json = JSON.stringify(call.input);
    const item = {
      id: itemId("fc"),
      type: "function_call",
      call_id: call.id,
      name: call.name,
      ...(call.namespace ? { namespace: call.namespace } : {}),
    };
    const at = { item_id: item.id, output_index: output.length };
    emit("response.output_item.added", {
      output_index: output.length,
      item: { ...item, status: "in_progress", arguments: "" },
    });
    emit("response.function_call_arguments.delta", { ...at, delta: json });
    emit("response.function_call_arguments.done", { ...at, arguments: json });
    const done = { ...item, status: "completed", arguments: json };
    emit("response.output_item.done", { output_index: output.length, item: done });
    output.push(done);
    outputText += json;
  }
  const input = roughTokens(options.inputText);
  const generated = roughTokens(outputText);
  emit("response.completed", {
    response: response("completed", output, {
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: generated,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + generated,
    }),
  });
  return out;
}
