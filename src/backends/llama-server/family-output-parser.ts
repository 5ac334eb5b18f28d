import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { type ParsedToolCall, parseDsmlToolCalls } from "./dsml-tool-calls.js";
import { parseMistralToolCalls } from "./mistral-tool-calls.js";

/** What the parser reads out of the model's output, in order. */
export type OutputPiece =
  | { kind: "thinking" | "text"; text: string }
  | { kind: "tool_calls"; calls: ParsedToolCall[] }
  /** A tool-call block the family's format does not describe (malformed, or cut off): passed on as text. */
  | { kind: "unparsed"; text: string };

const TOOL_CALL_PARSERS = { dsml: parseDsmlToolCalls, mistral: parseMistralToolCalls } as const;

/** The length of the longest end of `text` that is the start of `marker` (a marker split across chunks). */
function partialMarkerLength(text: string, marker: string): number {
  for (let length = Math.min(marker.length - 1, text.length); length > 0; length--) {
    if (marker.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

/**
 * Splits a streamed completion into reasoning, text and tool calls by the family's markers
 * (`OutputSyntax`), as the family's template writes them. What could be the start of a marker, and the
 * whitespace before a tool-call block (the template writes `\n\n` there), is held back until the next
 * chunk tells. A tool-call block is read whole, then taken apart; one the format does not describe goes
 * out as text, never as a guessed call.
 */
export class FamilyOutputParser {
  private mode: "reasoning" | "text" | "tool";
  private buffer = "";
  /** Tool-call blocks passed on as text (for the turn record). */
  unparsed = 0;

  constructor(
    private readonly syntax: OutputSyntax,
    /** The prompt sent: the output starts inside a reasoning block when it ends by opening one. */
    prompt: string,
  ) {
    const open = syntax.reasoning?.open;
    this.mode = open && prompt.endsWith(open) ? "reasoning" : "text";
  }

  push(chunk: string): OutputPiece[] {
    this.buffer += chunk;
    const pieces: OutputPiece[] = [];
    for (;;) {
      const before = this.buffer.length;
      const mode = this.mode;
      this.step(pieces, false);
      if (this.buffer.length === before && this.mode === mode) return pieces;
    }
  }

  /** The rest, once the output has ended. */
  finish(): OutputPiece[] {
    const pieces: OutputPiece[] = [];
    // An opened tool-call block is read even when nothing followed its opener.
    while (this.buffer || this.mode === "tool") this.step(pieces, true);
    return pieces;
  }

  private step(pieces: OutputPiece[], final: boolean): void {
    const { reasoning, toolCalls } = this.syntax;
    if (this.mode === "reasoning" && reasoning) {
      const end = this.buffer.indexOf(reasoning.close);
      if (end >= 0) {
        this.emit(pieces, "thinking", this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + reasoning.close.length);
        this.mode = "text";
        return;
      }
      const keep = final ? 0 : partialMarkerLength(this.buffer, reasoning.close);
      this.emit(pieces, "thinking", this.buffer.slice(0, this.buffer.length - keep));
      this.buffer = this.buffer.slice(this.buffer.length - keep);
      return;
    }
    if (this.mode === "text") {
      const start = this.buffer.indexOf(toolCalls.open);
      if (start >= 0) {
        this.emit(pieces, "text", this.buffer.slice(0, start).trimEnd());
        this.buffer = this.buffer.slice(start + toolCalls.open.length);
        this.mode = "tool";
        return;
      }
      if (final) {
        this.emit(pieces, "text", this.buffer.trimEnd());
        this.buffer = "";
        return;
      }
      const partial = partialMarkerLength(this.buffer, toolCalls.open);
      const sure = this.buffer.slice(0, this.buffer.length - partial).trimEnd();
      this.emit(pieces, "text", sure);
      this.buffer = this.buffer.slice(sure.length);
      return;
    }
    // A block without a closing marker runs to the end of the output.
    const toEnd = toolCalls.close === "";
    const end = toEnd ? -1 : this.buffer.indexOf(toolCalls.close);
    if (end < 0 && !final) return;
    const block = end < 0 ? this.buffer : this.buffer.slice(0, end);
    const calls = end < 0 && !toEnd ? undefined : TOOL_CALL_PARSERS[toolCalls.format](block);
    if (calls) pieces.push({ kind: "tool_calls", calls });
    else {
      this.unparsed++;
      const closing = end < 0 ? "" : toolCalls.close;
      pieces.push({ kind: "unparsed", text: `${toolCalls.open}${block}${closing}` });
    }
    this.buffer = end < 0 ? "" : this.buffer.slice(end + toolCalls.close.length).trimStart();
    this.mode = "text";
  }

  private emit(pieces: OutputPiece[], kind: "thinking" | "text", text: string): void {
    if (text) pieces.push({ kind, text });
  }
}
