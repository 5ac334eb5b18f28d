import type { BackendTimings, CanonicalEvent, StopReason, Usage } from "./canonical.js";
import { emptyUsage } from "./canonical.js";
import type { SwitchyardError } from "./errors.js";

export type CollectedBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_call"; id: string; name: string; inputJson: string };

export interface CollectedMessage {
  id: string;
  model: string;
  blocks: CollectedBlock[];
  stopReason: StopReason | undefined;
  usage: Usage;
  timings: BackendTimings | undefined;
  error: SwitchyardError | undefined;
}

/** Folds a canonical event stream into one message (for non-streaming clients and for records). */
export class MessageCollector {
  readonly message: CollectedMessage = {
    id: "",
    model: "",
    blocks: [],
    stopReason: undefined,
    usage: emptyUsage(),
    timings: undefined,
    error: undefined,
  };

  add(event: CanonicalEvent): void {
    const message = this.message;
    switch (event.type) {
      case "message_start":
        message.id = event.id;
        message.model = event.model;
        message.usage = event.usage;
        return;
      case "block_start": {
        const block = event.block;
        message.blocks[event.index] =
          block.type === "text"
            ? { type: "text", text: "" }
            : block.type === "thinking"
              ? { type: "thinking", thinking: "", signature: "" }
              : block.type === "redacted_thinking"
                ? { type: "redacted_thinking", data: block.data }
                : { type: "tool_call", id: block.id, name: block.name, inputJson: "" };
        return;
      }
      case "block_delta": {
        const block = message.blocks[event.index];
        const delta = event.delta;
        if (block?.type === "text" && delta.type === "text") block.text += delta.text;
        else if (block?.type === "thinking" && delta.type === "thinking") block.thinking += delta.text;
        else if (block?.type === "thinking" && delta.type === "signature") block.signature += delta.signature;
        else if (block?.type === "tool_call" && delta.type === "tool_input") block.inputJson += delta.json;
        return;
      }
      case "block_end":
        return;
      case "done":
        message.stopReason = event.stopReason;
        message.usage = event.usage;
        message.timings = event.timings;
        return;
      case "error":
        message.error = event.error;
        message.usage = event.usage;
        return;
      default: {
        const never: never = event;
        throw new Error(`unknown canonical event ${JSON.stringify(never)}`);
      }
    }
  }
}
