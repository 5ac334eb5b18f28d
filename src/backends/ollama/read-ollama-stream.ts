import type { CanonicalEvent, Usage } from "../../core/canonical.js";
import { emptyUsage } from "../../core/canonical.js";
import { SwitchyardError, streamFailure } from "../../core/errors.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { readNdjsonLines } from "../../util/ndjson-lines.js";
import { CanonicalBlockWriter } from "../canonical-block-writer.js";
import { FamilyOutputParser, writeOutputPieces } from "../llama-server/family-output-parser.js";
import { UNPARSED_TOOL_CALL } from "../llama-server/read-completion-stream.js";
import { mapOllamaError } from "./map-ollama-error.js";
import { mapOllamaDoneReason, type OllamaMetrics, ollamaTimings, ollamaUsage } from "./ollama-metrics.js";

/** One line of an /api/chat stream (api/types.go `ChatResponse`). */
interface ChatChunk extends OllamaMetrics {
  message?: {
    content?: string;
    thinking?: string;
    tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: unknown } }>;
  };
  done?: boolean;
  done_reason?: string;
  error?: unknown;
}

export interface OllamaStreamContext {
  id: string;
  model: string;
  backendName: string;
  numCtx?: number;
  /** The model was given its tools as text: its calls are read out of its text in this syntax. */
  toolsAsText?: OutputSyntax;
}

/**
 * Reads an /api/chat NDJSON stream into canonical events. Thinking and text arrive as deltas; each tool
 * call arrives whole, with its arguments as an object and, in the documented examples, no id: it becomes
 * one block, with the server's id when it sends one (api/types.go `ToolCall.ID`), else an id derived
 * from the message id and the call's position. Usage and timings come with the final
 * `done` line. `message_start` waits for the first line that is not an error, so an error Ollama reports
 * as the stream's first line still becomes an HTTP status.
 */
export async function* readOllamaStream(
  body: AsyncIterable<Uint8Array>,
  context: OllamaStreamContext,
): AsyncGenerator<CanonicalEvent> {
  let usage: Usage = emptyUsage();
  const writer = new CanonicalBlockWriter(context.id, context.model, () => usage);
  let toolCalls = 0;
  let finished = false;
  const events = writer.events;
  const parser = context.toolsAsText && new FamilyOutputParser(context.toolsAsText, "");
  const text = (content: string, final: boolean) => {
    if (!parser) return writer.append("text", content);
    toolCalls += writeOutputPieces(writer, [...parser.push(content), ...(final ? parser.finish() : [])]);
  };

  try {
    for await (const line of readNdjsonLines(body)) {
      // Read on to the end of the body: one read to its end lets the keep-alive connection be reused.
      if (finished) continue;
      let chunk: ChatChunk;
      try {
        chunk = JSON.parse(line) as ChatChunk;
      } catch {
        throw new SwitchyardError(`${context.backendName} sent a malformed stream line: ${line.slice(0, 200)}`, {
          kind: "upstream",
          code: "malformed_stream",
        });
      }
      if (chunk.error !== undefined) {
        throw mapOllamaError(500, JSON.stringify({ error: chunk.error }), context.backendName, context);
      }
      writer.start();
      const message = chunk.message ?? {};
      if (message.thinking) writer.append("thinking", message.thinking);
      if (message.content || (parser && chunk.done)) text(message.content ?? "", chunk.done === true);
      for (const call of message.tool_calls ?? []) {
        const id = call.id || `toolu_${context.id.replace(/^msg_/, "")}_${toolCalls}`;
        toolCalls++;
        const input = call.function?.arguments;
        const index = writer.startToolCall(id, call.function?.name ?? "");
        writer.toolInput(index, typeof input === "string" ? input : JSON.stringify(input ?? {}));
        writer.close();
      }
      if (chunk.done) {
        finished = true;
        writer.close();
        usage = ollamaUsage(chunk);
        const stopReason = mapOllamaDoneReason(chunk.done_reason, toolCalls > 0);
        if (parser?.unparsed) stopReason.raw += `; ${UNPARSED_TOOL_CALL}`;
        events.push({
          type: "done",
          stopReason,
          usage: { ...usage },
          timings: ollamaTimings(chunk),
        });
      }
      yield* events.splice(0);
    }
  } catch (error) {
    if (!writer.hasStarted) throw streamFailure(error, context.backendName);
    if (parser) text("", true);
    writer.close();
    yield* events.splice(0);
    yield { type: "error", error: streamFailure(error, context.backendName), usage: { ...usage } };
    return;
  }
  if (finished) return;
  if (!writer.hasStarted) {
    throw new SwitchyardError(`${context.backendName} answered with an empty stream`, {
      kind: "upstream",
      code: "stream_truncated",
    });
  }
  if (parser) text("", true);
  writer.close();
  yield* events.splice(0);
  yield {
    type: "error",
    error: new SwitchyardError(`${context.backendName} ended the stream before its final (done) line`, {
      kind: "upstream",
      code: "stream_truncated",
    }),
    usage: { ...usage },
  };
}
