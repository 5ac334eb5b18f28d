/**
 * The canonical request and event model. Every client protocol converts to and from it; every backend
 * adapter consumes a CanonicalRequest and produces CanonicalEvents. No protocol talks to another directly.
 */
import type { SwitchyardError } from "./errors.js";
import type { TurnFacts } from "./turn-facts.js";

export interface TextPart {
  readonly type: "text";
  readonly text: string;
}

export interface ImagePart {
  readonly type: "image";
  readonly source:
    | { readonly kind: "base64"; readonly mediaType: string; readonly data: string }
    | { readonly kind: "url"; readonly url: string };
}

export interface ThinkingPart {
  readonly type: "thinking";
  readonly text: string;
  readonly signature?: string;
}

export interface RedactedThinkingPart {
  readonly type: "redacted_thinking";
  readonly data: string;
}

export interface ToolCallPart {
  readonly type: "tool_call";
  readonly id: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * A content block the canonical model does not take apart (a `document`, a `search_result`, any block
 * type newer than this code), kept as the client sent it: a backend that speaks the client's protocol
 * gets it back unchanged, and local backends read what they can of it (backends/opaque-block-text.ts).
 */
export interface OpaquePart {
  readonly type: "opaque";
  /** The block's own `type`. */
  readonly blockType: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** What a tool result may hold: text, images, and blocks kept whole (documents, search results). */
export type ToolResultContent = TextPart | ImagePart | OpaquePart;

export interface ToolResultPart {
  readonly type: "tool_result";
  readonly toolCallId: string;
  readonly content: readonly ToolResultContent[];
  readonly isError: boolean;
}

export type CanonicalPart =
  | TextPart
  | ImagePart
  | ThinkingPart
  | RedactedThinkingPart
  | ToolCallPart
  | ToolResultPart
  | OpaquePart;

/** `system` messages may stand anywhere in the conversation (Claude Code sends them mid-conversation). */
export interface CanonicalMessage {
  readonly role: "user" | "assistant" | "system";
  readonly parts: readonly CanonicalPart[];
}

export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export type ToolChoice =
  | { type: "auto"; parallel: boolean }
  | { type: "any"; parallel: boolean }
  | { type: "none" }
  | { type: "tool"; name: string; parallel: boolean };

export type ThinkingMode = "enabled" | "disabled" | "adaptive";

export interface CanonicalRequest {
  /** The model name the client asked for (routing maps it to a backend model). */
  readonly model: string;
  readonly system: readonly TextPart[];
  readonly messages: readonly CanonicalMessage[];
  readonly tools: readonly ToolDefinition[];
  readonly toolChoice: ToolChoice | undefined;
  readonly maxTokens: number;
  readonly temperature: number | undefined;
  readonly topP: number | undefined;
  readonly topK: number | undefined;
  readonly stopSequences: readonly string[];
  readonly thinking: { readonly mode: ThinkingMode; readonly budgetTokens?: number };
  /** Structured output: the answer must match this JSON schema. */
  readonly responseFormat:
    | { readonly type: "json_schema"; readonly schema: Readonly<Record<string, unknown>> }
    | undefined;
  /** Anthropic `output_config.effort`; no local equivalent, kept for cloud backends and records. */
  readonly effort: string | undefined;
  readonly stream: boolean;
  /** Where the request came from, for session identity and faithful pass-through to same-protocol backends. */
  readonly client: {
    readonly protocol: "anthropic" | "openai";
    readonly headers: Readonly<Record<string, string | undefined>>;
    readonly body: unknown;
    readonly userId: string | undefined;
  };
}

export type UsageField = "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens";

/** Anthropic's meaning: `inputTokens` were prefilled, `cacheReadTokens` were reused from the cache. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /**
   * Fields the backend did not report: their numbers are placeholders (0, or all prompt tokens counted
   * as input), and turn records show them as unknown rather than as measurements.
   */
  unreported?: UsageField[];
  /** The whole prompt, for backends that report only the total and not its split (Ollama). */
  promptTokens?: number;
  /**
   * Of `outputTokens`, those the model wrote before its answer: its reasoning with the markers around it,
   * when the backend tells them apart (llama-server's per-token timings, a cloud's
   * `completion_tokens_details.reasoning_tokens`). Absent when unknown.
   */
  reasoningTokens?: number;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** Timings a backend reports (llama-server's `timings`); absent fields are unknown, not zero. */
export interface BackendTimings {
  promptMs?: number;
  predictedMs?: number;
  promptPerSecond?: number;
  predictedPerSecond?: number;
  /** Time the backend spent loading the model for this request (Ollama's `load_duration`): a reload loses the cache. */
  loadMs?: number;
}

export type UnifiedStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal" | "pause_turn";

export interface StopReason {
  unified: UnifiedStopReason;
  /** What the backend said (`stop`, `length`, `tool_calls`, …). */
  raw: string;
  stopSequence?: string;
}

export type BlockStart =
  | { type: "text" }
  | { type: "thinking" }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_call"; id: string; name: string };

export type BlockDelta =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "signature"; signature: string }
  | { type: "tool_input"; json: string };

/**
 * The stream every backend produces. Once `message_start` is out, failures arrive as a final `error`
 * event carrying the usage so far; they are never thrown. `message_start` carries what the backend did
 * with the turn (its slot, rate limits, deadline) for the turn record.
 */
export type CanonicalEvent =
  | { type: "message_start"; id: string; model: string; usage: Usage; facts?: TurnFacts }
  | { type: "block_start"; index: number; block: BlockStart }
  | { type: "block_delta"; index: number; delta: BlockDelta }
  | { type: "block_end"; index: number }
  | { type: "done"; stopReason: StopReason; usage: Usage; timings?: BackendTimings }
  | { type: "error"; error: SwitchyardError; usage: Usage };
