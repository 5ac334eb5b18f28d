/**
 * One answer of the scripted endpoint, in the words of no particular protocol: optional thinking, optional
 * text, then tool calls. The protocol writers (`anthropic-turn-sse.ts`, `openai-turn-sse.ts`) put it on the
 * wire; the session scripts (`session-scripts.ts`) choose it.
 */
export interface ScriptedToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** The Responses API's `namespace` of the tool (Codex's `multi_agent_v1`); the other protocols have none. */
  namespace?: string;
}

export interface ScriptedTurn {
  thinking?: string;
  text?: string;
  toolCalls?: ScriptedToolCall[];
}

/** A signature for scripted thinking: opaque base64 like the real API's, derived from the text so a replay can tell which block it signed. */
export function scriptedSignature(thinking: string): string {
  return Buffer.from(`switchyard-capture:${thinking}`, "utf8").toString("base64");
}

/** The rough size a real API would report, so usage numbers are plausible (4 bytes a token). */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, "utf8") / 4));
}
