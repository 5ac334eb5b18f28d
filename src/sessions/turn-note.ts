import type { CanonicalMessage, CanonicalRequest, TextPart } from "../core/canonical.js";

/**
 * A client's per-request note: text it writes afresh into every request and moves as the conversation
 * grows, so left where the client puts it, it rewrites the prompt's history every turn.
 *
 * Goose 1.37 sends one: its MOIM, `<info-msg>\n…\n</info-msg>` with the current time to the minute, the
 * working directory, the context used so far and the todo list. It inserts it before the conversation's
 * latest assistant message (`crates/goose/src/agents/moim.rs`), joined to the user message there, so each
 * request takes it out of one earlier message and puts it into the next: every turn changes the prompt
 * one exchange back, and the first turn's note sits in the first user message, which no later turn repeats.
 *
 * (Goose 1.52 writes a `<turn-context>` into the user message that opens a turn instead, and keeps it
 * there: an append-only prompt needs nothing done to it.)
 *
 * Normalization takes every note out of the history and sends the request's own note as a user message of
 * its own after the last user message: the model sees what Goose meant it to see once, and each prompt
 * extends the previous one up to where the previous note stood.
 */
const NOTE = /(?:^|\n)(<info-msg>\n[\s\S]*?\n<\/info-msg>)(?=\n|$)/;

/** A user text with its note taken out, and the note; undefined when the text holds none. */
export function takeTurnNote(text: string): { rest: string; note: string } | undefined {
  if (!text.includes("<info-msg>\n")) return undefined;
  const match = NOTE.exec(text);
  if (!match?.[1]) return undefined;
  const start = match.index + (match[0].length - match[1].length);
  const end = start + match[1].length;
  // The note stands at the start or the end of what the user message says (Goose joins it either side).
  if (start !== 0 && end !== text.length) return undefined;
  const before = text.slice(0, start).replace(/\n$/, "");
  const after = text.slice(end).replace(/^\n/, "");
  return { rest: before + (before && after ? "\n" : "") + after, note: match[1] };
}

/** The note message normalization sends: one user message of the note's text alone. */
export function noteMessage(note: string): CanonicalMessage {
  return { role: "user", parts: [{ type: "text", text: note }] };
}

/**
 * The UTF-8 bytes of the note a request ends with (0 when it ends with none). A token of a byte-level
 * tokenizer covers at least one byte, so this bounds the note's tokens from above.
 */
export function trailingNoteBytes(request: CanonicalRequest): number {
  const last = request.messages.at(-1);
  if (last?.role !== "user" || last.parts.length !== 1) return 0;
  const part = last.parts[0] as TextPart;
  if (part.type !== "text" || !part.text.startsWith("<info-msg>\n") || takeTurnNote(part.text)?.rest !== "") return 0;
  return Buffer.byteLength(part.text);
}

/** The request without the note it ends with (the same request when it ends with none). */
export function withoutTrailingNote(request: CanonicalRequest): CanonicalRequest {
  return trailingNoteBytes(request) > 0 ? { ...request, messages: request.messages.slice(0, -1) } : request;
}
