import type { CanonicalEvent } from "../../core/canonical.js";
import { toolCallInput } from "../../core/tool-call-input.js";
import { anthropicErrorBody } from "./anthropic-errors.js";
import { anthropicUsage } from "./anthropic-usage.js";

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Canonical events → Anthropic SSE frames. Backends already guarantee block order; the encoder adds
 * the protocol's framing (ping after message_start, empty block shells) and turns an error event into
 * `event: error`, after which nothing more is sent.
 */
export function encodeAnthropicEvent(event: CanonicalEvent): string {
  switch (event.type) {
    case "message_start":
      return (
        frame("message_start", {
          type: "message_start",
          message: {
            id: event.id,
            type: "message",
            role: "assistant",
            content: [],
            model: event.model,
            stop_reason: null,
            stop_sequence: null,
            usage: anthropicUsage(event.usage),
          },
        }) + frame("ping", { type: "ping" })
      );
    case "block_start": {
      const block = event.block;
      const contentBlock =
        block.type === "text"
          ? { type: "text", text: "" }
          : block.type === "thinking"
            ? { type: "thinking", thinking: "", signature: "" }
            : block.type === "redacted_thinking"
              ? { type: "redacted_thinking", data: block.data }
              : { type: "tool_use", id: block.id, name: block.name, input: {} };
      return frame("content_block_start", {
        type: "content_block_start",
        index: event.index,
        content_block: contentBlock,
      });
    }
    case "block_delta": {
      const delta = event.delta;
      const wire =
        delta.type === "text"
          ? { type: "text_delta", text: delta.text }
          : delta.type === "thinking"
            ? { type: "thinking_delta", thinking: delta.text }
            : delta.type === "signature"
              ? { type: "signature_delta", signature: delta.signature }
              : { type: "input_json_delta", partial_json: delta.json };
      return frame("content_block_delta", { type: "content_block_delta", index: event.index, delta: wire });
    }
    case "block_end":
      return frame("content_block_stop", { type: "content_block_stop", index: event.index });
    case "done":
      return (
        frame("message_delta", {
          type: "message_delta",
          delta: { stop_reason: event.stopReason.unified, stop_sequence: event.stopReason.stopSequence ?? null },
          usage: anthropicUsage(event.usage),
        }) + frame("message_stop", { type: "message_stop" })
      );
    case "error":
      return frame("error", anthropicErrorBody(event.error));
    default: {
      const never: never = event;
      throw new Error(`unknown canonical event ${JSON.stringify(never)}`);
    }
  }
}

/**
 * One stream's encoder: `encodeAnthropicEvent`, except for a tool call whose arguments are no JSON object.
 * Anthropic's `tool_use.input` is an object, and a client that kept `[1, 2]` or a string as one would send
 * it back in every later request, which the API (and this door) refuses: the session would be broken by
 * its history. The first character of the arguments tells: a call whose arguments do not start with `{`
 * is held back, and its input sent whole at the block's end, as the non-streaming answer gives it
 * (`toolCallInput`: the object a double-encoded string holds, else `{_unparsed_arguments}`). Arguments
 * that start with `{` stream as they come, cut off at `max_tokens` or not, as Anthropic streams them.
 */
export function anthropicStreamEncoder(): { encode(event: CanonicalEvent): string } {
  /** Per tool-call block not decided yet: its arguments so far (nothing, whitespace, or held back). */
  const held = new Map<number, string>();
  return {
    encode(event) {
      if (event.type === "block_start" && event.block.type === "tool_call") held.set(event.index, "");
      if (event.type !== "block_delta" && event.type !== "block_end") return encodeAnthropicEvent(event);
      const json = held.get(event.index);
      if (json === undefined) return encodeAnthropicEvent(event);
      if (event.type === "block_delta") {
        if (event.delta.type !== "tool_input") return encodeAnthropicEvent(event);
        const sofar = json + event.delta.json;
        if (sofar.trimStart()[0] !== "{") {
          held.set(event.index, sofar);
          return "";
        }
        held.delete(event.index);
        return encodeAnthropicEvent({ ...event, delta: { type: "tool_input", json: sofar } });
      }
      held.delete(event.index);
      if (json.trim() === "") return encodeAnthropicEvent(event);
      const input = { type: "tool_input", json: JSON.stringify(toolCallInput(json)) } as const;
      return (
        encodeAnthropicEvent({ type: "block_delta", index: event.index, delta: input }) + encodeAnthropicEvent(event)
      );
    },
  };
}
