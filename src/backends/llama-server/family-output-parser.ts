import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { type ParsedToolCall, parseDsmlToolCalls } from "./dsml-tool-calls.js";
import { parseGemma4ToolCall } from "./gemma4-tool-calls.js";
import { parseMistralToolCalls } from "./mistral-tool-calls.js";

/** What the parser reads out of the model's output, in order. */
export type OutputPiece =
  | { kind: "thinking" | "text"; text: string }
  | { kind: "tool_calls"; calls: ParsedToolCall[] }
  /** A tool-call block the family's format does not describe (malformed, or cut off): passed on as text. */
  | { kind: "unparsed"; text: string };

const TOOL_CALL_PARSERS = {
  dsml: parseDsmlToolCalls,
  mistral: parseMistralToolCalls,
  gemma4: parseGemma4ToolCall,
} as const;

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
  /** Reasoning the model opened itself: the newline after its opener is part of the marker. */
  private openedInText = false;
  /** The markers looked for in text, and what each one starts. */
  private readonly textMarkers: readonly { marker: string; starts: "tool" | "reasoning" | "nothing" }[];
  /** Tool-call blocks passed on as text (for the turn record). */
  unparsed = 0;

  constructor(
    private readonly syntax: OutputSyntax,
    /** The prompt sent: the output starts inside a reasoning block when it ends by opening one. */
    prompt: string,
  ) {
    const open = syntax.reasoning?.open;
    this.mode = open && prompt.endsWith(open) ? "reasoning" : "text";
    this.textMarkers = [
      { marker: syntax.toolCalls.open, starts: "tool" },
      ...(syntax.reasoning?.opensInText ? [{ marker: syntax.reasoning.open, starts: "reasoning" as const }] : []),
      ...(syntax.stray ?? []).map((marker) => ({ marker, starts: "nothing" as const })),
    ];
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
      if (this.openedInText) {
        if (!this.buffer && !final) return;
        this.openedInText = false;
        if (this.buffer.startsWith("\n")) this.buffer = this.buffer.slice(1);
      }
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
      const found = this.firstTextMarker();
      if (found) {
        this.emit(pieces, "text", this.buffer.slice(0, found.at).trimEnd());
        this.buffer = this.buffer.slice(found.at + found.marker.length);
        if (found.starts === "reasoning") this.openedInText = true;
        if (found.starts !== "nothing") this.mode = found.starts;
        return;
      }
      if (final) {
        this.emit(pieces, "text", this.buffer.trimEnd());
        this.buffer = "";
        return;
      }
      const partial = Math.max(...this.textMarkers.map(({ marker }) => partialMarkerLength(this.buffer, marker)));
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

  /** The first marker in the buffer that text mode looks for, and where. */
  private firstTextMarker(): { at: number; marker: string; starts: "tool" | "reasoning" | "nothing" } | undefined {
    let first: { at: number; marker: string; starts: "tool" | "reasoning" | "nothing" } | undefined;
    for (const { marker, starts } of this.textMarkers) {
      const at = this.buffer.indexOf(marker);
      if (at >= 0 && (!first || at < first.at)) first = { at, marker, starts };
    }
    return first;
  }

  private emit(pieces: OutputPiece[], kind: "thinking" | "text", text: string): void {
    if (text) pieces.push({ kind, text });
  }
}
