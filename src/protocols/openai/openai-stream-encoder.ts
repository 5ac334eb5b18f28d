import type { BlockDelta, BlockStart, CanonicalEvent, StopReason, Usage } from "../../core/canonical.js";
import type { SwitchyardError } from "../../core/errors.js";
import { openAIErrorBody } from "./openai-errors.js";
import { openAIFinishReason } from "./openai-finish-reason.js";
import { openAIUsage } from "./openai-usage.js";

export interface OpenAIStreamOptions {
  /** `chatcmpl-…`: every chunk carries the same id. */
  id: string;
  model: string;
  /** Unix seconds; every chunk carries the same value. */
  created: number;
  /** The client sent `stream_options: {include_usage: true}`. */
  includeUsage: boolean;
}

type Delta = Record<string, unknown>;

const frame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const DONE = "data: [DONE]\n\n";

/**
 * Canonical events → OpenAI `chat.completion.chunk` SSE frames
 * (https://platform.openai.com/docs/api-reference/chat-streaming). One choice, index 0. Thinking
 * streams as `delta.reasoning_content` (llama.cpp's and DeepSeek's field); tool calls are numbered from
 * 0 in the order they start, whatever their canonical block index. After `done` or `error` the stream
 * ends with `data: [DONE]` and further events produce nothing.
 */
export class OpenAIStreamEncoder {
  private readonly options: OpenAIStreamOptions;
  /** Canonical block index → OpenAI tool call index. */
  private readonly toolCallIndexes = new Map<number, number>();
  private started = false;
  private finished = false;

  constructor(options: OpenAIStreamOptions) {
    this.options = options;
  }

  encode(event: CanonicalEvent): string {
    if (this.finished) return "";
    switch (event.type) {
      case "message_start":
        return this.start();
      case "block_start":
        return this.blockStart(event.index, event.block);
      case "block_delta":
        return this.blockDelta(event.index, event.delta);
      case "block_end":
        return "";
      case "done":
        return this.done(event.stopReason, event.usage);
      case "error":
        return this.error(event.error);
      default: {
        const never: never = event;
        throw new Error(`unknown canonical event ${JSON.stringify(never)}`);
      }
    }
  }

  private chunk(delta: Delta, finishReason: string | null = null): string {
    const { id, created, model, includeUsage } = this.options;
    return frame({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      // OpenAI: with include_usage, every chunk but the last carries `usage: null`.
      ...(includeUsage ? { usage: null } : {}),
    });
  }

  /** The role chunk opens the stream once, even if a backend skipped `message_start`. */
  private start(): string {
    if (this.started) return "";
    this.started = true;
    return this.chunk({ role: "assistant", content: "" });
  }

  private content(delta: Delta): string {
    return this.start() + this.chunk(delta);
  }

  private blockStart(blockIndex: number, block: BlockStart): string {
    // Text and thinking need no opening; OpenAI has no place for redacted thinking.
    if (block.type !== "tool_call") return "";
    const toolIndex = this.toolCallIndexes.size;
    this.toolCallIndexes.set(blockIndex, toolIndex);
    return this.content({
      tool_calls: [{ index: toolIndex, id: block.id, type: "function", function: { name: block.name, arguments: "" } }],
    });
  }

  private blockDelta(blockIndex: number, delta: BlockDelta): string {
    switch (delta.type) {
      case "text":
        return delta.text === "" ? "" : this.content({ content: delta.text });
      case "thinking":
        return delta.text === "" ? "" : this.content({ reasoning_content: delta.text });
      case "signature":
        return "";
      case "tool_input": {
        const toolIndex = this.toolCallIndexes.get(blockIndex);
        if (toolIndex === undefined || delta.json === "") return "";
        return this.content({ tool_calls: [{ index: toolIndex, function: { arguments: delta.json } }] });
      }
      default: {
        const never: never = delta;
        throw new Error(`unknown block delta ${JSON.stringify(never)}`);
      }
    }
  }

  private done(stopReason: StopReason, usage: Usage): string {
    this.finished = true;
    let out = this.start() + this.chunk({}, openAIFinishReason(stopReason));
    if (this.options.includeUsage) {
      const { id, created, model } = this.options;
      out += frame({ id, object: "chat.completion.chunk", created, model, choices: [], usage: openAIUsage(usage) });
    }
    return out + DONE;
  }

  /**
   * Headers are out, so the failure travels in the stream: a `data: {"error": {…}}` frame in place of a
   * chunk (llama-server sends the same frame; openai-node's stream throws it as an APIError), then
   * `[DONE]` so that clients which ignore the error still see the stream end.
   */
  private error(error: SwitchyardError): string {
    this.finished = true;
    return frame(openAIErrorBody(error)) + DONE;
  }
}
