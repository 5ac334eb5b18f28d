import { randomUUID } from "node:crypto";
import type { OutputSyntax, ToolCallFormat } from "../../families/rendered-prompt-mode.js";
import type { CanonicalBlockWriter } from "../canonical-block-writer.js";
import { parseDeepSeekR1ToolCalls } from "./deepseek-r1-tool-calls.js";
import { type ParsedToolCall, parseDsmlToolCalls } from "./dsml-tool-calls.js";
import { parseGemma4ToolCall } from "./gemma4-tool-calls.js";
import { parseJsonToolCall } from "./json-tool-calls.js";
import { parseMistralToolCalls } from "./mistral-tool-calls.js";
import { parseXmlFunctionCalls } from "./xml-function-tool-calls.js";

/** What the parser reads out of the model's output, in order. */
export type OutputPiece =
  | { kind: "thinking" | "text"; text: string }
  | { kind: "tool_calls"; calls: ParsedToolCall[] }
  /** A tool-call block the family's format does not describe (malformed, or cut off): passed on as text. */
  | { kind: "unparsed"; text: string };

/** Each format's reader: a block's inside and the request's tools (Chat Completions shape) to calls. */
const TOOL_CALL_PARSERS: Record<
  ToolCallFormat,
  (block: string, tools: readonly unknown[]) => ParsedToolCall[] | undefined
> = {
  dsml: parseDsmlToolCalls,
  mistral: parseMistralToolCalls,
  "xml-function": (block, tools) => parseXmlFunctionCalls(block, tools, ""),
  "xml-function-padded": (block, tools) => parseXmlFunctionCalls(block, tools, "\n"),
  json: parseJsonToolCall,
  gemma4: parseGemma4ToolCall,
  "deepseek-r1": parseDeepSeekR1ToolCalls,
};

/** A marker text mode looks for, and what it starts: a tool-call block, reasoning, or nothing (dropped). */
interface TextMarker {
  marker: string;
  starts: "tool" | "reasoning" | "nothing";
}

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
  /** Nothing but whitespace has been read yet: a reasoning block may still open the output. */
  private atStart = true;
  /** Text has not begun since the output or its reasoning began: whitespace here is the template's, dropped. */
  private textLead = true;
  /** Reasoning the model opened itself mid-output: the newline after its opener is part of the marker. */
  private openedInText = false;
  /** The markers looked for in text, and what each one starts. */
  private readonly textMarkers: readonly TextMarker[];
  /** Tool-call blocks passed on as text (for the turn record). */
  unparsed = 0;

  constructor(
    private readonly syntax: OutputSyntax,
    /** The prompt sent: the output starts inside a reasoning block when it ends by opening one. */
    prompt: string,
    /** The request's tools (Chat Completions shape): their schemas type the values of some formats. */
    private readonly tools: readonly unknown[] = [],
  ) {
    const open = syntax.reasoning?.open;
    this.mode = open && prompt.endsWith(open) ? "reasoning" : "text";
    // A family whose model opens reasoning anywhere finds its opener among the text markers instead.
    if (this.mode === "reasoning" || syntax.reasoning?.opensInText) this.atStart = false;
    this.textMarkers = [
      { marker: syntax.toolCalls.open, starts: "tool" },
      ...(syntax.reasoning?.opensInText ? [{ marker: syntax.reasoning.open, starts: "reasoning" as const }] : []),
      ...(syntax.stray ?? []).map((marker) => ({ marker, starts: "nothing" as const })),
    ];
  }

  /** Whether what is read now is inside a reasoning block. */
  get inReasoning(): boolean {
    return this.mode === "reasoning";
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
        this.textLead = true;
        return;
      }
      const keep = final ? 0 : partialMarkerLength(this.buffer, reasoning.close);
      this.emit(pieces, "thinking", this.buffer.slice(0, this.buffer.length - keep));
      this.buffer = this.buffer.slice(this.buffer.length - keep);
      return;
    }
    if (this.mode === "text" && this.atStart && reasoning) {
      // The model opens its reasoning itself (Seed-OSS's generation prompt does not): only at the start.
      const lead = this.buffer.trimStart();
      if (lead.startsWith(reasoning.open)) {
        this.buffer = lead.slice(reasoning.open.length);
        this.mode = "reasoning";
        this.atStart = false;
        return;
      }
      if (!final && (lead === "" || reasoning.open.startsWith(lead))) return;
      this.atStart = false;
    }
    if (this.mode === "text" && this.textLead) {
      // The template writes a newline between reasoning and the answer (Seed-OSS); it is not the answer's.
      this.buffer = this.buffer.trimStart();
      if (!this.buffer && !final) return;
      this.textLead = false;
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
    const calls = end < 0 && !toEnd ? undefined : TOOL_CALL_PARSERS[toolCalls.format](block, this.tools);
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
  private firstTextMarker(): (TextMarker & { at: number }) | undefined {
    let first: (TextMarker & { at: number }) | undefined;
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

/**
 * Writes what the parser read as canonical blocks: reasoning and text as deltas, each call as a tool-call
 * block with a new id, anything unread as text. Returns how many calls it wrote.
 */
export function writeOutputPieces(writer: CanonicalBlockWriter, pieces: readonly OutputPiece[]): number {
  let calls = 0;
  for (const piece of pieces) {
    if (piece.kind === "tool_calls") {
      for (const call of piece.calls) {
        calls++;
        const index = writer.startToolCall(`toolu_${randomUUID().replaceAll("-", "").slice(0, 24)}`, call.name);
        writer.toolInput(index, JSON.stringify(call.input));
      }
    } else writer.append(piece.kind === "thinking" ? "thinking" : "text", piece.text);
  }
  return calls;
}
