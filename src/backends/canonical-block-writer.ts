import { createHash } from "node:crypto";
import type { CanonicalEvent, Usage } from "../core/canonical.js";

const LOCAL_SIGNATURE_PREFIX = "switchyard-local-";

/** A signature for thinking we produced, so clients that require one (Claude Code) get a stable value. */
export const thinkingSignature = (text: string) =>
  `${LOCAL_SIGNATURE_PREFIX}${createHash("sha256").update(text).digest("base64url").slice(0, 32)}`;

/** True for a signature `thinkingSignature` made: thinking a local model produced, which no cloud can verify. */
export const isLocalSignature = (signature: string) => signature.startsWith(LOCAL_SIGNATURE_PREFIX);

/**
 * Turns an upstream's pieces (text, thinking, tool calls) into canonical events, for the stream readers
 * of backends that do not speak canonical events themselves (OpenAI chat completions, Ollama): one
 * `message_start`, blocks opened and closed in order, a signature on every thinking block. Events queue
 * in `events` until the reader yields them.
 */
export class CanonicalBlockWriter {
  readonly events: CanonicalEvent[] = [];
  private started = false;
  private open: { index: number; kind: "text" | "thinking" | "tool"; text: string } | undefined;
  private nextIndex = 0;

  constructor(
    private readonly id: string,
    private readonly model: string,
    /** The usage known when `message_start` goes out. */
    private readonly usage: () => Usage,
  ) {}

  get hasStarted(): boolean {
    return this.started;
  }

  /** The index of the open tool-call block, if the open block is one. */
  get openToolIndex(): number | undefined {
    return this.open?.kind === "tool" ? this.open.index : undefined;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.events.push({ type: "message_start", id: this.id, model: this.model, usage: { ...this.usage() } });
  }

  close(): void {
    const open = this.open;
    if (!open) return;
    if (open.kind === "thinking") {
      const signature = thinkingSignature(open.text);
      this.events.push({ type: "block_delta", index: open.index, delta: { type: "signature", signature } });
    }
    this.events.push({ type: "block_end", index: open.index });
    this.open = undefined;
  }

  /** Text or thinking, continuing the open block of that kind or opening one. */
  append(kind: "text" | "thinking", text: string): void {
    if (this.open?.kind !== kind) {
      this.close();
      this.start();
      this.open = { index: this.nextIndex++, kind, text: "" };
      this.events.push({ type: "block_start", index: this.open.index, block: { type: kind } });
    }
    this.open.text += text;
    this.events.push({ type: "block_delta", index: this.open.index, delta: { type: kind, text } });
  }

  /** Opens a tool-call block; `id` may derive from the block's index. Returns the block's index. */
  startToolCall(id: string | ((index: number) => string), name: string): number {
    this.close();
    this.start();
    const index = this.nextIndex++;
    this.open = { index, kind: "tool", text: "" };
    this.events.push({
      type: "block_start",
      index,
      block: { type: "tool_call", id: typeof id === "string" ? id : id(index), name },
    });
    return index;
  }

  toolInput(index: number, json: string): void {
    this.events.push({ type: "block_delta", index, delta: { type: "tool_input", json } });
  }
}
