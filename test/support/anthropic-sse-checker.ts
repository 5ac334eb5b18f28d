/**
 * A strict checker for Anthropic Messages API streaming responses (Server-Sent Events), following
 * https://docs.anthropic.com/en/api/messages-streaming. It reports every protocol violation it finds
 * instead of throwing, and rebuilds the final message the way a client SDK would.
 */

/** One Server-Sent Event as framed by the WHATWG event-stream rules. */
export interface SseEvent {
  event: string | undefined;
  data: string;
  /** Set on a final event whose text ended before the blank line that terminates it. */
  truncated?: true;
}

/**
 * Splits an event stream into events. Follows the WHATWG rules (BOM, CRLF/CR/LF line ends, `:` comments,
 * one optional space after the colon, data lines joined with "\n", `id`/`retry`/unknown fields ignored),
 * except that nothing is dropped silently: an event with a name but no data is returned with data "",
 * and an unterminated final event is returned with `truncated: true`.
 */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const unterminatedLine = lines.pop() ?? "";
  let eventName: string | undefined;
  let dataLines: string[] = [];
  let hasFields = false;

  const readField = (line: string): void => {
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const rawValue = colon < 0 ? "" : line.slice(colon + 1);
    const value = rawValue.startsWith(" ") ? rawValue.slice(1) : rawValue;
    if (field === "event") eventName = value === "" ? undefined : value;
    else if (field === "data") dataLines.push(value);
    else return;
    hasFields = true;
  };

  for (const line of lines) {
    if (line !== "") {
      readField(line);
      continue;
    }
    if (hasFields) events.push({ event: eventName, data: dataLines.join("\n") });
    eventName = undefined;
    dataLines = [];
    hasFields = false;
  }
  if (unterminatedLine !== "") readField(unterminatedLine);
  if (hasFields) events.push({ event: eventName, data: dataLines.join("\n"), truncated: true });
  return events;
}

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** Token counts: message_start's, overwritten by message_delta's (which are cumulative). Numbers only. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  [field: string]: number;
}

export interface ReconstructedMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ContentBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: Usage;
}

export interface CheckedEvent {
  /** The data's `type`, or the SSE event name when the data has none. */
  type: string;
  /** The parsed data; undefined when it is not JSON. */
  payload: unknown;
}

export interface StreamCheckResult {
  ok: boolean;
  violations: string[];
  events: CheckedEvent[];
  /** Present once a message_start was seen; partial when the stream broke off or ended in an error. */
  message?: ReconstructedMessage;
  /** The `error` of an error event, when the stream ended with one. */
  error?: { type: string; message: string };
}

const STOP_REASONS = ["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"];
const EVENT_TYPES = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
  "error",
]);
const DELTA_TYPES_BY_BLOCK_TYPE = new Map<string, readonly string[]>([
  ["text", ["text_delta"]],
  ["thinking", ["thinking_delta", "signature_delta"]],
  ["redacted_thinking", []],
  ["tool_use", ["input_json_delta"]],
]);
const STRING_FIELD_BY_DELTA_TYPE = new Map([
  ["text_delta", "text"],
  ["thinking_delta", "thinking"],
  ["signature_delta", "signature"],
  ["input_json_delta", "partial_json"],
]);

type JsonObject = Record<string, unknown>;
type Phase = "awaiting_message_start" | "streaming_blocks" | "awaiting_message_stop" | "stopped" | "errored";

interface OpenBlock {
  index: number;
  type: string;
  /** Undefined for a block type the checker does not know. */
  block: ContentBlock | undefined;
  partialJson: string;
  signatureSeen: boolean;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const numericFields = (record: JsonObject): Record<string, number> =>
  Object.fromEntries(Object.entries(record).filter((entry): entry is [string, number] => typeof entry[1] === "number"));

/** Checks a whole response body. Never throws; `ok` is true exactly when `violations` is empty. */
export function checkAnthropicStream(text: string): StreamCheckResult {
  const checker = new StreamChecker();
  const sseEvents = parseSse(text);
  for (const [position, sseEvent] of sseEvents.entries()) checker.accept(sseEvent, position + 1);
  return checker.finish(sseEvents);
}

class StreamChecker {
  private readonly violations: string[] = [];
  private readonly events: CheckedEvent[] = [];
  private readonly content: ContentBlock[] = [];
  private phase: Phase = "awaiting_message_start";
  private openBlock: OpenBlock | undefined;
  private nextIndex = 0;
  private eventLabel = "";
  private start: { id: string; model: string; usage: Record<string, number> } | undefined;
  private stopReason: string | null = null;
  private stopSequence: string | null = null;
  private finalUsage: Record<string, number> = {};
  private error: { type: string; message: string } | undefined;

  accept(sseEvent: SseEvent, position: number): void {
    const stoppingProblem = this.handle(sseEvent, position);
    if (stoppingProblem) this.violate(stoppingProblem);
  }

  /** Handlers return the violation that stopped them from handling the event; others are reported on the spot. */
  private handle(sseEvent: SseEvent, position: number): string | undefined {
    const payload = parseJson(sseEvent.data);
    const dataType = isObject(payload) && typeof payload.type === "string" ? payload.type : undefined;
    const type = dataType ?? sseEvent.event ?? "";
    this.events.push({ type, payload });
    this.eventLabel = `event ${position} (${type || "unnamed"})`;

    if (payload === undefined) return "data is not valid JSON";
    if (!isObject(payload)) return "data is not a JSON object";
    if (dataType === undefined) return 'data has no string "type"';
    if (sseEvent.event === undefined) this.violate('missing "event:" name');
    else if (sseEvent.event !== dataType) {
      this.violate(`event name "${sseEvent.event}" does not match data type "${dataType}"`);
    }
    if (!EVENT_TYPES.has(dataType)) return `unknown event type "${dataType}"`;
    if (this.phase === "stopped") return "event after message_stop";
    if (this.phase === "errored") return "event after error";
    if (this.phase === "awaiting_message_start" && dataType !== "message_start" && dataType !== "error") {
      return `${dataType} before message_start`;
    }

    switch (dataType) {
      case "message_start":
        return this.onMessageStart(payload);
      case "content_block_start":
        return this.onBlockStart(payload);
      case "content_block_delta":
        return this.onBlockDelta(payload);
      case "content_block_stop":
        return this.onBlockStop(payload);
      case "message_delta":
        return this.onMessageDelta(payload);
      case "message_stop":
        return this.onMessageStop();
      case "error":
        return this.onError(payload);
      default:
        return undefined; // ping
    }
  }

  finish(sseEvents: SseEvent[]): StreamCheckResult {
    const ending = (problem: string) => this.violations.push(problem);
    const lastEvent = sseEvents.at(-1);
    if (lastEvent === undefined) ending("stream has no events");
    else if (lastEvent.truncated) ending("final event is not terminated by a blank line (truncated stream)");
    if (this.phase === "awaiting_message_start" && lastEvent !== undefined) ending("missing message_start");
    if (this.phase === "streaming_blocks") {
      if (this.openBlock) ending(`stream ended with block ${this.openBlock.index} still open`);
      ending("stream ended without message_delta");
    }
    if (this.phase === "streaming_blocks" || this.phase === "awaiting_message_stop") {
      ending("stream ended without message_stop");
    }

    const result: StreamCheckResult = {
      ok: this.violations.length === 0,
      violations: this.violations,
      events: this.events,
    };
    if (this.start) {
      result.message = {
        id: this.start.id,
        type: "message",
        role: "assistant",
        model: this.start.model,
        content: this.content,
        stop_reason: this.stopReason,
        stop_sequence: this.stopSequence,
        usage: { input_tokens: 0, output_tokens: 0, ...this.start.usage, ...this.finalUsage },
      };
    }
    if (this.error) result.error = this.error;
    return result;
  }

  private violate(problem: string): void {
    this.violations.push(`${this.eventLabel}: ${problem}`);
  }

  private onMessageStart(payload: JsonObject): string | undefined {
    if (this.phase !== "awaiting_message_start") return "duplicate message_start";
    this.phase = "streaming_blocks";
    const message = payload.message;
    if (!isObject(message)) return "message must be an object";
    if (typeof message.id !== "string") this.violate("message.id must be a string");
    if (message.type !== "message") this.violate('message.type must be "message"');
    if (message.role !== "assistant") this.violate('message.role must be "assistant"');
    if (!Array.isArray(message.content) || message.content.length > 0) this.violate("message.content must be []");
    if (typeof message.model !== "string") this.violate("message.model must be a string");
    if (message.stop_reason !== null) this.violate("message.stop_reason must be null");
    const usage = isObject(message.usage) ? message.usage : {};
    if (!isObject(message.usage)) this.violate("message.usage must be an object");
    for (const field of ["input_tokens", "output_tokens"]) {
      if (typeof usage[field] !== "number") this.violate(`message.usage.${field} must be a number`);
    }
    for (const field of ["cache_read_input_tokens", "cache_creation_input_tokens"]) {
      if (field in usage && typeof usage[field] !== "number") this.violate(`message.usage.${field} must be a number`);
    }
    this.start = { id: String(message.id), model: String(message.model), usage: numericFields(usage) };
  }

  private onBlockStart(payload: JsonObject): string | undefined {
    if (this.phase === "awaiting_message_stop") return "content_block_start after message_delta";
    const index = payload.index;
    if (typeof index !== "number" || !Number.isInteger(index)) return "index must be an integer";
    if (this.openBlock) this.violate(`content_block_start while block ${this.openBlock.index} is still open`);
    if (index !== this.nextIndex) this.violate(`content_block_start index ${index}, expected ${this.nextIndex}`);
    this.nextIndex = index + 1;
    const initial = payload.content_block;
    const type = isObject(initial) && typeof initial.type === "string" ? initial.type : undefined;
    this.openBlock = { index, type: type ?? "", block: undefined, partialJson: "", signatureSeen: false };
    if (!isObject(initial) || type === undefined) return 'content_block must be an object with a "type"';
    this.openBlock.block = this.startBlock(type, initial);
  }

  private startBlock(type: string, initial: JsonObject): ContentBlock | undefined {
    if (type === "text") {
      if (initial.text !== "") this.violate('text block must start with text ""');
      return { type, text: "" };
    }
    if (type === "thinking") {
      if (initial.thinking !== "") this.violate('thinking block must start with thinking ""');
      return { type, thinking: "", signature: "" };
    }
    if (type === "redacted_thinking") {
      if (typeof initial.data !== "string") this.violate("redacted_thinking block must carry a string data");
      return { type, data: String(initial.data) };
    }
    if (type === "tool_use") {
      if (typeof initial.id !== "string") this.violate("tool_use block id must be a string");
      if (typeof initial.name !== "string") this.violate("tool_use block name must be a string");
      const emptyInput = isObject(initial.input) && Object.keys(initial.input).length === 0;
      if (!emptyInput) this.violate("tool_use block input must be {}");
      return { type, id: String(initial.id), name: String(initial.name), input: {} };
    }
    this.violate(`unknown content block type "${type}"`);
    return undefined;
  }

  private requireOpenBlock(eventType: string, index: unknown): OpenBlock | undefined {
    if (!this.openBlock) this.violate(`${eventType} for index ${String(index)}, but no block is open`);
    else if (index !== this.openBlock.index) {
      this.violate(`${eventType} for index ${String(index)}, but block ${this.openBlock.index} is open`);
    } else return this.openBlock;
    return undefined;
  }

  private onBlockDelta(payload: JsonObject): string | undefined {
    const open = this.requireOpenBlock("content_block_delta", payload.index);
    const allowedDeltas = open && DELTA_TYPES_BY_BLOCK_TYPE.get(open.type);
    if (!open || !allowedDeltas) return;
    const delta = payload.delta;
    if (!isObject(delta) || typeof delta.type !== "string") return 'delta must be an object with a "type"';
    if (!allowedDeltas.includes(delta.type)) return `${delta.type} is not allowed in a ${open.type} block`;
    const field = STRING_FIELD_BY_DELTA_TYPE.get(delta.type) ?? "";
    const value = delta[field];
    if (typeof value !== "string") return `${delta.type}.${field} must be a string`;
    const block = open.block;
    if (block?.type === "text") block.text += value;
    else if (block?.type === "tool_use") open.partialJson += value;
    else if (block?.type === "thinking" && delta.type === "signature_delta") {
      block.signature = value;
      open.signatureSeen = true;
    } else if (block?.type === "thinking") {
      if (open.signatureSeen) this.violate("thinking_delta after signature_delta");
      block.thinking += value;
    }
  }

  private onBlockStop(payload: JsonObject): string | undefined {
    const open = this.requireOpenBlock("content_block_stop", payload.index);
    if (!open) return;
    this.openBlock = undefined;
    const block = open.block;
    if (!block) return;
    if (block.type === "thinking" && !open.signatureSeen) {
      this.violate(`thinking block ${open.index} closed without a signature_delta`);
    }
    if (block.type === "tool_use" && open.partialJson !== "") {
      const input = parseJson(open.partialJson);
      if (isObject(input)) block.input = input;
      else {
        const problem = input === undefined ? "is not valid JSON" : "is not a JSON object";
        this.violate(`tool_use block ${open.index} input ${problem}: ${open.partialJson}`);
      }
    }
    this.content.push(block);
  }

  private abandonOpenBlock(eventType: string): void {
    if (this.openBlock) this.violate(`${eventType} while block ${this.openBlock.index} is still open`);
    this.openBlock = undefined;
  }

  private onMessageDelta(payload: JsonObject): string | undefined {
    if (this.phase === "awaiting_message_stop") return "duplicate message_delta";
    this.abandonOpenBlock("message_delta");
    this.phase = "awaiting_message_stop";
    const delta = isObject(payload.delta) ? payload.delta : {};
    const stopReason = delta.stop_reason;
    if (typeof stopReason !== "string" || !STOP_REASONS.includes(stopReason)) {
      this.violate(`stop_reason ${JSON.stringify(stopReason)} is not one of ${STOP_REASONS.join(", ")}`);
    } else {
      this.stopReason = stopReason;
      if (stopReason === "tool_use" && !this.content.some((block) => block.type === "tool_use")) {
        this.violate('stop_reason "tool_use" without a tool_use block');
      }
    }
    const stopSequence = delta.stop_sequence;
    if (typeof stopSequence === "string" || stopSequence === null) this.stopSequence = stopSequence;
    else this.violate("delta.stop_sequence must be a string or null");
    const usage = payload.usage;
    if (isObject(usage) && typeof usage.output_tokens === "number") this.finalUsage = numericFields(usage);
    else this.violate("usage.output_tokens must be a number");
  }

  private onMessageStop(): string | undefined {
    const messageDeltaSeen = this.phase === "awaiting_message_stop";
    this.phase = "stopped";
    if (messageDeltaSeen) return undefined;
    this.abandonOpenBlock("message_stop");
    return "message_stop without a preceding message_delta";
  }

  private onError(payload: JsonObject): string | undefined {
    this.phase = "errored";
    const error = payload.error;
    if (!isObject(error) || typeof error.type !== "string" || typeof error.message !== "string") {
      return 'error must be an object with string "type" and "message"';
    }
    this.error = { type: error.type, message: error.message };
  }
}
