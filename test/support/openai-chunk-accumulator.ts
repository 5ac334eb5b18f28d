/**
 * Folds an OpenAI Chat Completions SSE body back into one message, the way OpenAI clients do
 * (openai-node's ChatCompletionStream: append `content`, append each tool call's `arguments` by its
 * `index`). It also checks the framing a client relies on and lists what is wrong, so tests can run it
 * on our encoder's output and on recorded OpenAI streams alike.
 */
export interface AccumulatedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface AccumulatedStream {
  role: string | undefined;
  content: string;
  reasoningContent: string;
  toolCalls: AccumulatedToolCall[];
  finishReason: string | undefined;
  usage: Record<string, unknown> | undefined;
  error: Record<string, unknown> | undefined;
  sawDone: boolean;
  /** Every `data:` payload but `[DONE]`, parsed. */
  chunks: Array<Record<string, unknown>>;
  problems: string[];
}

interface ChunkChoice {
  index?: number;
  delta?: {
    role?: string;
    content?: string | null;
    reasoning_content?: string | null;
    tool_calls?: Array<{ index: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }>;
  };
  finish_reason?: string | null;
}

export function accumulateOpenAIStream(sse: string): AccumulatedStream {
  const out: AccumulatedStream = {
    role: undefined,
    content: "",
    reasoningContent: "",
    toolCalls: [],
    finishReason: undefined,
    usage: undefined,
    error: undefined,
    sawDone: false,
    chunks: [],
    problems: [],
  };
  const ids = new Set<unknown>();
  const events = sse.split("\n\n").filter((event) => event.trim() !== "");
  if (!sse.endsWith("\n\n")) out.problems.push("the body does not end with a blank line");
  for (const event of events) {
    if (!event.startsWith("data: ")) {
      out.problems.push(`not a data line: ${event.slice(0, 80)}`);
      continue;
    }
    if (out.sawDone) out.problems.push("data after [DONE]");
    const data = event.slice("data: ".length);
    if (data === "[DONE]") {
      out.sawDone = true;
      continue;
    }
    const chunk = JSON.parse(data) as Record<string, unknown>;
    out.chunks.push(chunk);
    if (chunk.error !== undefined) {
      out.error = chunk.error as Record<string, unknown>;
      continue;
    }
    if (chunk.object !== "chat.completion.chunk") out.problems.push(`object is ${String(chunk.object)}`);
    ids.add(chunk.id);
    if (chunk.usage) out.usage = chunk.usage as Record<string, unknown>;
    for (const choice of (chunk.choices ?? []) as ChunkChoice[]) {
      if (choice.index !== 0) out.problems.push(`choice index ${String(choice.index)}`);
      const delta = choice.delta ?? {};
      if (delta.role !== undefined) out.role = delta.role;
      if (delta.role === undefined && out.chunks.length === 1) out.problems.push("the first chunk has no role");
      out.content += delta.content ?? "";
      out.reasoningContent += delta.reasoning_content ?? "";
      for (const call of delta.tool_calls ?? []) {
        const known = out.toolCalls[call.index];
        if (call.id !== undefined) {
          if (known) out.problems.push(`tool call ${call.index} opened twice`);
          if (call.index !== out.toolCalls.length) out.problems.push(`tool call index ${call.index} skips ahead`);
          if (call.type !== "function") out.problems.push(`tool call ${call.index} type ${String(call.type)}`);
          out.toolCalls[call.index] = {
            id: call.id,
            name: call.function?.name ?? "",
            arguments: call.function?.arguments ?? "",
          };
        } else if (!known) {
          out.problems.push(`arguments for tool call ${call.index} before it opened`);
        } else {
          known.arguments += call.function?.arguments ?? "";
        }
      }
      if (choice.finish_reason) out.finishReason = choice.finish_reason;
    }
  }
  if (ids.size > 1) out.problems.push(`chunks carry ${ids.size} different ids`);
  return out;
}
