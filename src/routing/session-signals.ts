import type { CanonicalMessage, CanonicalRequest, ToolCallPart } from "../core/canonical.js";

/** What a request says about how its session is going, read from the conversation itself. */
export interface RequestSignals {
  /** Failed tool results (`is_error`) in a row at the end of the conversation. */
  trailingToolErrors: number;
  /** How many of the last tool calls are the same call (name and input) as the very last one. */
  repeatedToolCalls: number;
  repeatedToolName: string | undefined;
  /** The latest user message starts with the cloud or the local marker. */
  marker: "cloud" | "local" | undefined;
  /** The route header's value, when it names a side. */
  header: "cloud" | "local" | undefined;
}

export function trailingToolErrors(request: CanonicalRequest): number {
  let count = 0;
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role !== "user") continue;
    const results = message.parts.filter((part) => part.type === "tool_result");
    // A user message without tool results is a new prompt: the run of failures starts after it.
    if (results.length === 0) break;
    for (let part = results.length - 1; part >= 0; part--) {
      if (!results[part]?.isError) return count;
      count++;
    }
  }
  return count;
}

/** The key that makes two tool calls the same: name and input (keys already sorted by normalization). */
const callKey = (call: ToolCallPart) => `${call.name}\u0000${JSON.stringify(call.input)}`;

export function repeatedToolCalls(request: CanonicalRequest): { count: number; name: string | undefined } {
  // From the end backwards, over the assistants' tool calls, until one differs from the last: a request
  // carries the whole history, and only its tail can count.
  let last: { key: string; name: string } | undefined;
  let count = 0;
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index] as CanonicalMessage;
    if (message.role !== "assistant") continue;
    for (let at = message.parts.length - 1; at >= 0; at--) {
      const part = message.parts[at];
      if (part?.type !== "tool_call") continue;
      const key = callKey(part);
      last ??= { key, name: part.name };
      if (key !== last.key) return { count, name: last.name };
      count++;
    }
  }
  return { count, name: last?.name };
}

/** The text of the latest user message that holds text (tool results alone are not the user speaking). */
function latestUserText(request: CanonicalRequest): string | undefined {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role !== "user") continue;
    const texts = message.parts.flatMap((part) => (part.type === "text" ? [part.text] : []));
    if (texts.length > 0) return texts.join("\n");
    if (message.parts.some((part) => part.type === "tool_result")) return undefined;
  }
  return undefined;
}

/**
 * A marker counts at the start of a line of the latest user message, so quoting `/cloud` in the middle
 * of a sentence does not switch anything. Claude Code wraps typed text in reminders, hence lines.
 */
function markerIn(text: string | undefined, cloudMarker: string, localMarker: string): "cloud" | "local" | undefined {
  if (!text) return undefined;
  const lines = text.split("\n").map((line) => line.trim());
  const starts = (marker: string) => lines.some((line) => line === marker || line.startsWith(`${marker} `));
  if (starts(cloudMarker)) return "cloud";
  if (starts(localMarker)) return "local";
  return undefined;
}

export function readSignals(
  request: CanonicalRequest,
  options: { header: string; cloudMarker: string; localMarker: string },
): RequestSignals {
  const repeated = repeatedToolCalls(request);
  const headerValue = request.client.headers[options.header.toLowerCase()]?.trim().toLowerCase();
  return {
    trailingToolErrors: trailingToolErrors(request),
    repeatedToolCalls: repeated.count,
    repeatedToolName: repeated.name,
    marker: markerIn(latestUserText(request), options.cloudMarker, options.localMarker),
    header: headerValue === "cloud" || headerValue === "local" ? headerValue : undefined,
  };
}
