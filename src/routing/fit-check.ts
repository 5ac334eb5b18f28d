import type { Backend } from "../backends/backend.js";
import { opaqueBlockText } from "../backends/opaque-block-text.js";
import type { CanonicalMessage, CanonicalRequest, ToolDefinition } from "../core/canonical.js";
import type { PreviousPrompt } from "../sessions/session-entry.js";
import { rememberFrozen } from "../util/remember-frozen.js";
import { historyTargetFor, transformHistory } from "./transform-history.js";

/** Tokens a chat template adds around the conversation: role markers, the tool preamble. */
const TEMPLATE_ALLOWANCE = 512;
const PER_MESSAGE_ALLOWANCE = 16;
const PER_TOOL_ALLOWANCE = 32;
/** Images are not text; a generous fixed allowance each. */
const PER_IMAGE_TOKENS = 1600;

interface RequestSize {
  bytes: number;
  images: number;
  messages: number;
}

/**
 * Sizes already measured: one turn asks for the bound and the estimate of the same request (the fit
 * check, the user rule, the lane memory after the answer), and each measure walks all of it.
 */
const measured = new WeakMap<CanonicalRequest, RequestSize>();

/** The request's text in UTF-8 bytes, and its images, without building the prompt; measured once per request. */
export function requestSize(request: CanonicalRequest): RequestSize {
  let size = measured.get(request);
  if (!size) {
    size = measureRequest(request);
    measured.set(request, size);
  }
  return size;
}

function measureRequest(request: CanonicalRequest): RequestSize {
  let bytes = 0;
  let images = 0;
  for (const part of request.system) bytes += Buffer.byteLength(part.text, "utf8");
  for (const message of request.messages) {
    const size = messageSize(message);
    bytes += size.bytes;
    images += size.images;
  }
  bytes += toolBytes(request.tools);
  return { bytes, images, messages: request.messages.length };
}

/** Sizes of frozen messages measured before (the same messages while their bytes repeat). */
const measuredMessages = new WeakMap<object, { bytes: number; images: number }>();

function messageSize(message: CanonicalMessage): { bytes: number; images: number } {
  return rememberFrozen(measuredMessages, message, () => measureMessage(message));
}

function measureMessage(message: CanonicalMessage): { bytes: number; images: number } {
  let bytes = 0;
  let images = 0;
  const text = (value: string) => {
    bytes += Buffer.byteLength(value, "utf8");
  };
  for (const part of message.parts) {
    switch (part.type) {
      case "text":
      case "thinking":
        text(part.text);
        break;
      case "redacted_thinking":
        text(part.data);
        break;
      case "image":
        images++;
        break;
      case "tool_call":
        text(part.name);
        text(JSON.stringify(part.input));
        break;
      case "tool_result":
        for (const item of part.content) {
          if (item.type === "text") text(item.text);
          else if (item.type === "opaque") text(opaqueBlockText(item));
          else images++;
        }
        break;
      case "opaque":
        text(opaqueBlockText(part));
        break;
      default: {
        const never: never = part;
        throw new Error(`unknown part ${JSON.stringify(never)}`);
      }
    }
  }
  return { bytes, images };
}

/** The bytes of frozen tool lists measured before (the same list while its bytes repeat). */
const measuredTools = new WeakMap<object, number>();

function toolBytes(tools: readonly ToolDefinition[]): number {
  return rememberFrozen(measuredTools, tools, () => {
    let bytes = 0;
    for (const tool of tools) {
      bytes += Buffer.byteLength(tool.name) + Buffer.byteLength(tool.description);
      bytes += Buffer.byteLength(JSON.stringify(tool.inputSchema));
    }
    return bytes;
  });
}

function allowance(size: RequestSize, toolCount: number): number {
  return (
    TEMPLATE_ALLOWANCE +
    size.messages * PER_MESSAGE_ALLOWANCE +
    toolCount * PER_TOOL_ALLOWANCE +
    size.images * PER_IMAGE_TOKENS
  );
}

/**
 * An upper bound on the prompt's tokens: byte-level BPE tokenizers (every current chat model's) never
 * make a text token of less than one byte, so the byte count bounds the text, and the allowances bound
 * what the template adds. Costs one pass over the request (shared with the estimate), no tokenizer.
 */
export function tokenUpperBound(request: CanonicalRequest): number {
  const size = requestSize(request);
  return size.bytes + allowance(size, request.tools.length);
}

/** A cheap estimate (about four bytes a token for English and code), for cost estimates, never for fit. */
export function tokenEstimate(request: CanonicalRequest): number {
  const size = requestSize(request);
  return Math.ceil(size.bytes / 4) + allowance(size, request.tools.length);
}

export interface FitResult {
  fits: boolean;
  /** The backend's context window, when it reports one. */
  context: number | undefined;
  /** Prompt tokens: counted by the backend when `exact`, else the estimate. */
  tokens: number;
  exact: boolean;
}

/**
 * Whether the request fits the backend's context window. The exact count (a tokenizer round trip on
 * llama-server) is only asked for when the upper bound says the request may be near or over the window.
 * With the lane's previous prompt on this backend, the bound is that prompt's real count plus the bytes
 * added since, which keeps long conversations that grow turn by turn off the tokenizer.
 */
export async function checkFit(
  backend: Backend,
  model: string,
  request: CanonicalRequest,
  signal: AbortSignal,
  previous?: PreviousPrompt,
): Promise<FitResult> {
  const context = await backend.contextSize(signal, model).catch(() => undefined);
  if (!context) return { fits: true, context, tokens: tokenEstimate(request), exact: false };
  const bound = tokenUpperBound(request);
  // The lane's last prompt on this backend was counted by it; what was added since is bounded by its bytes.
  const grown = previous && bound >= previous.bound ? previous.tokens + (bound - previous.bound) : undefined;
  if (Math.min(bound, grown ?? bound) < context)
    return { fits: true, context, tokens: tokenEstimate(request), exact: false };
  const counted = await backend
    .countTokens(transformHistory(request, historyTargetFor(backend)).request, {
      model,
      signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
    })
    .catch(() => undefined);
  const tokens = counted?.tokens ?? tokenEstimate(request);
  return { fits: tokens < context, context, tokens, exact: counted?.exact ?? false };
}
