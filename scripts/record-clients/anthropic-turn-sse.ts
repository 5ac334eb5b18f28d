import { roughTokens, type ScriptedTurn, scriptedSignature } from "./scripted-turn.js";

/**
 * A scripted turn as an Anthropic Messages stream, in the event order and block shapes of the streaming
 * documentation's examples (https://docs.claude.com/en/docs/build-with-claude/streaming, "Full HTTP Stream
 * response"; copies in test/fixtures/anthropic/): message_start, ping, each block's start, deltas and stop,
 * message_delta with the stop reason and usage, message_stop.
 */
export function anthropicTurnSse(
  turn: ScriptedTurn,
  options: { model: string; messageId: string; inputText: string; thinkingDisplay?: string },
) {
  const events: Array<Record<string, unknown>> = [];
  const inputTokens = roughTokens(options.inputText);
  events.push({
    type: "message_start",
    message: {
      id: options.messageId,
      type: "message",
      role: "assistant",
      model: options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    },
  });
  events.push({ type: "ping" });
  let index = 0;
  let outputText = "";
  if (turn.thinking !== undefined) {
    events.push({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "" } });
    // `thinking.display: "omitted"`: the block comes back with no text, only the signature (see README).
    if (options.thinkingDisplay !== "omitted") {
      events.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: turn.thinking } });
    }
    const signature = scriptedSignature(turn.thinking);
    events.push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature } });
    events.push({ type: "content_block_stop", index });
    outputText += turn.thinking;
    index += 1;
  }
  if (turn.text !== undefined) {
    events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
    events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: turn.text } });
    events.push({ type: "content_block_stop", index });
    outputText += turn.text;
    index += 1;
  }
  for (const call of turn.toolCalls ?? []) {
    const json = JSON.stringify(call.input);
    events.push({
      type: "content_block_start",
      index,
      content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
    });
    // Two pieces, as the API splits arguments: clients must join them before parsing.
    const half = Math.floor(json.length / 2);
    for (const piece of [json.slice(0, half), json.slice(half)]) {
      events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } });
    }
    events.push({ type: "content_block_stop", index });
    outputText += json;
    index += 1;
  }
  const stopReason = (turn.toolCalls?.length ?? 0) > 0 ? "tool_use" : "end_turn";
  events.push({
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: roughTokens(outputText) },
  });
  events.push({ type: "message_stop" });
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
}
