import type { BackendTimings, CanonicalEvent, StopReason, Usage } from "../../core/canonical.js";
import { emptyUsage } from "../../core/canonical.js";
import { SwitchyardError, streamFailure } from "../../core/errors.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { readSseEvents } from "../../util/sse-lines.js";
import { CanonicalBlockWriter } from "../canonical-block-writer.js";
import { applyLlamaTimings, type LlamaTimings, parseStreamChunk } from "../parse-stream-chunk.js";
import { ReasoningCount } from "../reasoning-count.js";
import { FamilyOutputParser, type OutputPiece, writeOutputPieces } from "./family-output-parser.js";

/** One event of llama-server's streamed `/completion` (tools/server/README.md, "POST /completion"). */
interface CompletionChunk {
  content?: string;
  stop?: boolean;
  /** On the last event: `eos`, `limit` (n_predict), `word` (a stop string), or `none`. */
  stop_type?: string;
  stopping_word?: string;
  timings?: LlamaTimings;
  error?: { message?: string; code?: number };
}

/** The raw stop reason's addition when a tool-call block was passed on as text: the turn record keeps it. */
export const UNPARSED_TOOL_CALL = "unparsed tool call passed on as text";

function stopReason(chunk: CompletionChunk, calledTools: boolean, unparsed: number): StopReason {
  const raw = `${chunk.stop_type ?? "eos"}${unparsed > 0 ? `; ${UNPARSED_TOOL_CALL}` : ""}`;
  switch (chunk.stop_type) {
    case "limit":
      return { unified: "max_tokens", raw };
    case "word":
      return { unified: "stop_sequence", raw, stopSequence: chunk.stopping_word ?? "" };
    default:
      return { unified: calledTools ? "tool_use" : "end_turn", raw };
  }
}

/**
 * Reads llama-server's streamed `/completion` for a prompt Switchyard rendered: the text goes through
 * the family's output parser into thinking, text and tool-call blocks; usage and timings come from
 * `timings` (sent on every event with `timings_per_token`), so `message_start` carries what was
 * prefilled and reused. Output the parser cannot read arrives as text, and the stop reason says so.
 */
export async function* readCompletionStream(
  body: AsyncIterable<Uint8Array>,
  context: {
    id: string;
    model: string;
    backendName: string;
    syntax: OutputSyntax;
    prompt: string;
    /** The request's tools (Chat Completions shape), which type tool-call values for some formats. */
    tools?: readonly unknown[];
  },
): AsyncGenerator<CanonicalEvent> {
  const usage: Usage = emptyUsage();
  const timings: BackendTimings = {};
  const writer = new CanonicalBlockWriter(context.id, context.model, () => usage);
  const parser = new FamilyOutputParser(context.syntax, context.prompt, context.tools);
  const events = writer.events;
  let calledTools = false;
  let last: CompletionChunk | undefined;
  const reasoning = new ReasoningCount();
  const finalUsage = (): Usage => {
    const reasoningTokens = reasoning.total;
    return reasoningTokens === undefined ? { ...usage } : { ...usage, reasoningTokens };
  };
  const write = (pieces: OutputPiece[]) => {
    if (writeOutputPieces(writer, pieces) > 0) calledTools = true;
  };
  try {
    for await (const sse of readSseEvents(body)) {
      // Read on to the end: a body read whole lets the keep-alive connection serve the next request.
      if (last?.stop) continue;
      const chunk = parseStreamChunk<CompletionChunk>(sse.data, context.backendName);
      last = chunk;
      const t = chunk.timings;
      if (t) {
        applyLlamaTimings(t, usage, timings);
        writer.start();
      }
      // An event read from start to end inside a reasoning block is reasoning; the one that opens or
      // closes it holds a marker (its earlier tokens, held back as a possible marker, are counted).
      const reasoningBefore = parser.inReasoning;
      if (chunk.content) write(parser.push(chunk.content));
      reasoning.add(t?.predicted_n, reasoningBefore && parser.inReasoning);
      if (chunk.stop) write(parser.finish());
      yield* events.splice(0);
    }
  } catch (error) {
    if (!writer.hasStarted) throw streamFailure(error, context.backendName);
    write(parser.finish());
    writer.close();
    yield* events.splice(0);
    yield { type: "error", error: streamFailure(error, context.backendName), usage: finalUsage() };
    return;
  }
  writer.start();
  writer.close();
  yield* events.splice(0);
  if (!last?.stop) {
    yield {
      type: "error",
      error: new SwitchyardError(`${context.backendName} ended the stream before its last event`, {
        kind: "upstream",
        code: "stream_truncated",
      }),
      usage: finalUsage(),
    };
    return;
  }
  yield { type: "done", stopReason: stopReason(last, calledTools, parser.unparsed), usage: finalUsage(), timings };
}
