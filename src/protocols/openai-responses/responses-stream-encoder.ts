import type { BlockStart, CanonicalEvent, StopReason, Usage } from "../../core/canonical.js";
import type { SwitchyardError } from "../../core/errors.js";
import {
  callItem,
  messageItem,
  type OutputItem,
  reasoningItem,
  responseObject,
  responseStatus,
  responsesId,
} from "./responses-output.js";
import type { ResponsesToolNames } from "./responses-tools.js";

export interface ResponsesStreamOptions {
  /** `resp_…`: the id every `response` object in the stream carries. */
  id: string;
  model: string;
  /** Unix seconds. */
  createdAt: number;
  names: ResponsesToolNames;
}

/** An output item being streamed: which block it came from and what it holds so far. */
interface OpenItem {
  outputIndex: number;
  id: string;
  kind: "reasoning" | "message" | "call";
  text: string;
  callId?: string;
  modelName?: string;
}

/**
 * Canonical events → OpenAI Responses SSE events (https://platform.openai.com/docs/api-reference/responses-streaming),
 * each `event: <type>` then `data: {…, "sequence_number": n}`:
 * - `response.created` and `response.in_progress` open the stream;
 * - each block is an output item: `response.output_item.added`, then for text a `content_part.added` and
 *   `output_text.delta`s, for thinking a `reasoning_text` part and `reasoning_text.delta`s, for a tool call
 *   `function_call_arguments.delta`s; then the matching `.done` events and `response.output_item.done` with
 *   the whole item (what Codex reads);
 * - `response.completed` (or `response.incomplete` at the output limit) carries every item and the usage;
 *   a failure after the start is `response.failed` with the error's code and message, which Codex reads
 *   (`context_length_exceeded` makes it compact).
 * A call to a `custom` tool streams no input deltas: its input is the one string argument of JSON the model
 * writes, known whole only at the end. After the last event further events produce nothing.
 */
export class ResponsesStreamEncoder {
  private readonly options: ResponsesStreamOptions;
  private readonly items: OutputItem[] = [];
  private readonly open = new Map<number, OpenItem>();
  private sequence = 0;
  private nextOutputIndex = 0;
  private started = false;
  private finished = false;

  constructor(options: ResponsesStreamOptions) {
    this.options = options;
  }

  encode(event: CanonicalEvent): string {
    if (this.finished) return "";
    switch (event.type) {
      case "message_start":
        return this.start();
      case "block_start":
        return this.start() + this.blockStart(event.index, event.block);
      case "block_delta": {
        const item = this.open.get(event.index);
        const delta = event.delta;
        if (!item) return "";
        if (delta.type === "text" && item.kind === "message") return this.textDelta(item, delta.text);
        if (delta.type === "thinking" && item.kind === "reasoning") return this.textDelta(item, delta.text);
        if (delta.type === "tool_input" && item.kind === "call") return this.argumentsDelta(item, delta.json);
        return "";
      }
      case "block_end":
        return this.blockEnd(event.index);
      case "done":
        return this.done(event.stopReason, event.usage);
      case "error":
        return this.fail(event.error, event.usage);
      default: {
        const never: never = event;
        throw new Error(`unknown canonical event ${JSON.stringify(never)}`);
      }
    }
  }

  private event(type: string, fields: Record<string, unknown>): string {
    const data = { type, ...fields, sequence_number: this.sequence++ };
    return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private response(status: "in_progress" | "completed" | "incomplete" | "failed", usage?: Usage, extra = {}) {
    const { id, createdAt, model } = this.options;
    // Items still open at a failure are left out: the output holds finished items only.
    const output = this.items.filter((item) => item !== undefined);
    return responseObject({ id, createdAt, model, status, output, usage, ...extra });
  }

  /**
   * What a silence gets (a long prefill, a tool call read whole): the stream's opening if it is not out,
   * else `response.in_progress` again. Codex times out a stream silent for `stream_idle_timeout_ms` (300 s
   * by default) however many SSE comments come, then sends the request again; an event resets it.
   */
  keepAlive(): string {
    if (this.finished) return "";
    return this.started ? this.event("response.in_progress", { response: this.response("in_progress") }) : this.start();
  }

  /** Opens the stream once, even if a backend skipped `message_start`. */
  private start(): string {
    if (this.started) return "";
    this.started = true;
    const response = this.response("in_progress");
    return this.event("response.created", { response }) + this.event("response.in_progress", { response });
  }

  private blockStart(blockIndex: number, block: BlockStart): string {
    // Redacted thinking has no Responses form a local model made.
    if (block.type === "redacted_thinking") return "";
    const outputIndex = this.nextOutputIndex++;
    if (block.type === "tool_call") {
      const item: OpenItem = {
        outputIndex,
        id: responsesId("fc"),
        kind: "call",
        text: "",
        callId: block.id,
        modelName: block.name,
      };
      this.open.set(blockIndex, item);
      return this.event("response.output_item.added", {
        output_index: outputIndex,
        item: this.callOf(item, "in_progress"),
      });
    }
    if (block.type === "thinking") {
      const item: OpenItem = { outputIndex, id: responsesId("rs"), kind: "reasoning", text: "" };
      this.open.set(blockIndex, item);
      return (
        this.event("response.output_item.added", {
          output_index: outputIndex,
          item: { id: item.id, type: "reasoning", summary: [] },
        }) +
        this.event("response.content_part.added", {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          part: { type: "reasoning_text", text: "" },
        })
      );
    }
    const item: OpenItem = { outputIndex, id: responsesId("msg"), kind: "message", text: "" };
    this.open.set(blockIndex, item);
    return (
      this.event("response.output_item.added", {
        output_index: outputIndex,
        item: { id: item.id, type: "message", status: "in_progress", role: "assistant", content: [] },
      }) +
      this.event("response.content_part.added", {
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
      })
    );
  }

  private callOf(item: OpenItem, status?: string): OutputItem {
    return callItem(this.options.names, {
      id: item.id,
      callId: item.callId ?? "",
      modelName: item.modelName ?? "",
      argumentsJson: item.text,
      status,
    });
  }

  private textDelta(item: OpenItem, text: string): string {
    if (text === "") return "";
    item.text += text;
    const type = item.kind === "message" ? "response.output_text.delta" : "response.reasoning_text.delta";
    return this.event(type, {
      item_id: item.id,
      output_index: item.outputIndex,
      content_index: 0,
      delta: text,
      ...(item.kind === "message" ? { logprobs: [] } : {}),
    });
  }

  private argumentsDelta(item: OpenItem, json: string): string {
    if (json === "") return "";
    item.text += json;
    if (this.options.names.clientTool(item.modelName ?? "").custom) return "";
    return this.event("response.function_call_arguments.delta", {
      item_id: item.id,
      output_index: item.outputIndex,
      delta: json,
    });
  }

  private blockEnd(blockIndex: number): string {
    const item = this.open.get(blockIndex);
    if (!item) return "";
    this.open.delete(blockIndex);
    const at = { item_id: item.id, output_index: item.outputIndex };
    let out = "";
    let done: OutputItem;
    if (item.kind === "message") {
      done = messageItem(item.id, item.text);
      const part = { type: "output_text", text: item.text, annotations: [], logprobs: [] };
      out += this.event("response.output_text.done", { ...at, content_index: 0, text: item.text, logprobs: [] });
      out += this.event("response.content_part.done", { ...at, content_index: 0, part });
    } else if (item.kind === "reasoning") {
      done = reasoningItem(item.id, item.text);
      out += this.event("response.reasoning_text.done", { ...at, content_index: 0, text: item.text });
      out += this.event("response.content_part.done", {
        ...at,
        content_index: 0,
        part: { type: "reasoning_text", text: item.text },
      });
    } else {
      done = this.callOf(item);
      if (done.type === "function_call")
        out += this.event("response.function_call_arguments.done", {
          ...at,
          name: done.name,
          arguments: done.arguments,
        });
      else out += this.event("response.custom_tool_call_input.done", { ...at, input: done.input });
    }
    this.items[item.outputIndex] = done;
    return out + this.event("response.output_item.done", { output_index: item.outputIndex, item: done });
  }

  /** Closes what is still open (a backend may end without `block_end`), in output order. */
  private closeAll(): string {
    let out = "";
    const open = [...this.open.entries()].sort(([, a], [, b]) => a.outputIndex - b.outputIndex);
    for (const [blockIndex] of open) out += this.blockEnd(blockIndex);
    return out;
  }

  private done(stopReason: StopReason, usage: Usage): string {
    let out = this.start() + this.closeAll();
    this.finished = true;
    const { status, incomplete_details } = responseStatus(stopReason);
    const response = this.response(status, usage, { incompleteDetails: incomplete_details });
    out += this.event(status === "completed" ? "response.completed" : "response.incomplete", { response });
    return out;
  }

  /**
   * Headers are out, so the failure travels in the stream as `response.failed`, its `response.error`
   * holding OpenAI's code (`context_length_exceeded`, `server_error`, …) and message.
   */
  private fail(error: SwitchyardError, usage: Usage): string {
    const out = this.start();
    this.finished = true;
    return out + this.event("response.failed", { response: this.response("failed", usage, { error }) });
  }
}
