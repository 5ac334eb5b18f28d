import type { Backend } from "../backends/backend.js";
import { isLocalSignature } from "../backends/canonical-block-writer.js";
import type { CanonicalMessage, CanonicalPart, CanonicalRequest } from "../core/canonical.js";

/**
 * Cross-model history: the one place where a conversation that moves between backends is converted into
 * what the target can take (pi-ai's `transform-messages` idea). Rules and their sources are in
 * docs/design/cross-model-history.md; in short:
 *
 * - Anthropic verifies the `signature` of every thinking block against the model that made it ("Thinking
 *   encryption", https://platform.claude.com/docs/en/build-with-claude/thinking). A block signed by a local
 *   model (`switchyard-local-…`) or unsigned gets `400 Invalid 'signature' in 'thinking' block`: it is
 *   dropped (sending back earlier thinking is only required for the current tool loop, the same page's
 *   "Preserving thinking blocks"), or kept as a text block when the policy says `text`.
 * - With `thinking: {type: "enabled"}`, the final assistant message holding `tool_use` must start with a
 *   thinking block; the API's own error says "To avoid this requirement, disable `thinking`". When that
 *   turn came from another model there is no thinking of Claude's to put there, so thinking is off for
 *   that request (one thinking configuration per assistant turn: the tool loop started without Claude's
 *   thinking). Adaptive thinking lets Claude answer a tool loop without thinking, so it is left alone.
 * - Anthropic's `tool_use.id` must match `^[a-zA-Z0-9_-]+$` (Messages API reference); other servers'
 *   ids (`functions.read:0`) are rewritten, the same way in the tool_use and its tool_result.
 * - Towards a reasoning target (llama-server, Ollama, OpenAI-compatible servers) thinking is reasoning
 *   text (the converters read the text and ignore signatures), `redacted_thinking` (a cloud's encrypted
 *   reasoning) is dropped, and thinking signed by a cloud model is kept as reasoning (`text`) or dropped.
 */

/** What happens to thinking made by another model: kept as (reasoning or plain) text, or dropped. */
export type ForeignThinkingPolicy = "text" | "drop";

export interface HistoryTarget {
  /** `signed`: the target verifies thinking signatures (Anthropic); `reasoning`: thinking is plain reasoning text. */
  thinking: "signed" | "reasoning";
  foreignThinking: ForeignThinkingPolicy;
}

/** What the conversion changed, for the turn record. Absent fields: nothing of that kind. */
export interface HistoryChanges {
  droppedThinking?: number;
  thinkingAsText?: number;
  droppedRedactedThinking?: number;
  renamedToolIds?: number;
  /** Why thinking was turned off for this request. */
  thinkingOff?: string;
}

/** The target a backend is, with the default policy for it. */
export function historyTargetFor(
  backend: Pick<Backend, "kind">,
  foreignThinking?: ForeignThinkingPolicy,
): HistoryTarget {
  return backend.kind === "anthropic"
    ? { thinking: "signed", foreignThinking: foreignThinking ?? "drop" }
    : { thinking: "reasoning", foreignThinking: foreignThinking ?? "text" };
}

/** The Messages API reference's pattern for `tool_use.id`. */
const TOOL_ID = /^[a-zA-Z0-9_-]+$/;

type Edit = { kind: "drop" } | { kind: "text"; text: string };

interface Plan {
  /** `message:part` → what to do with that part. */
  edits: Map<string, Edit>;
  toolIds: Map<string, string>;
  thinkingOff: string | undefined;
  changes: HistoryChanges;
}

const count = (changes: HistoryChanges, field: Exclude<keyof HistoryChanges, "thinkingOff">) => {
  changes[field] = (changes[field] ?? 0) + 1;
};

/** A thinking block the target cannot verify as its own. */
function foreignToSigned(part: Extract<CanonicalPart, { type: "thinking" }>): boolean {
  return !part.signature || isLocalSignature(part.signature);
}

function editFor(part: CanonicalPart, target: HistoryTarget, changes: HistoryChanges): Edit | undefined {
  if (part.type === "thinking") {
    if (target.thinking === "signed") {
      if (!foreignToSigned(part)) return undefined;
      if (target.foreignThinking === "text" && part.text.trim() !== "") {
        count(changes, "thinkingAsText");
        return { kind: "text", text: part.text };
      }
      count(changes, "droppedThinking");
      return { kind: "drop" };
    }
    // The reasoning converters read the text and ignore the signature (llama-server: `reasoning_content`).
    if (part.signature && !isLocalSignature(part.signature) && target.foreignThinking === "drop") {
      count(changes, "droppedThinking");
      return { kind: "drop" };
    }
    return undefined;
  }
  if (part.type === "redacted_thinking" && target.thinking === "reasoning") {
    count(changes, "droppedRedactedThinking");
    return { kind: "drop" };
  }
  return undefined;
}

function safeToolId(id: string, used: Set<string>): string {
  const base = id.replace(/[^a-zA-Z0-9_-]/g, "_") || "tool";
  let candidate = base;
  for (let suffix = 2; used.has(candidate); suffix++) candidate = `${base}_${suffix}`;
  return candidate;
}

/** The parts of `message` after the plan's edits, as the target will see them. */
function editedParts(message: CanonicalMessage, index: number, edits: Map<string, Edit>): CanonicalPart[] {
  return message.parts.flatMap((part, at) => {
    const edit = edits.get(`${index}:${at}`);
    if (!edit) return [part];
    return edit.kind === "drop" ? [] : [{ type: "text", text: edit.text }];
  });
}

function plan(request: CanonicalRequest, target: HistoryTarget): Plan {
  const changes: HistoryChanges = {};
  const edits = new Map<string, Edit>();
  const toolIds = new Map<string, string>();
  const usedIds = new Set<string>();
  for (const message of request.messages)
    for (const part of message.parts) if (part.type === "tool_call" && TOOL_ID.test(part.id)) usedIds.add(part.id);
  request.messages.forEach((message, index) => {
    message.parts.forEach((part, at) => {
      const edit = editFor(part, target, changes);
      if (edit) edits.set(`${index}:${at}`, edit);
      if (
        target.thinking === "signed" &&
        part.type === "tool_call" &&
        !TOOL_ID.test(part.id) &&
        !toolIds.has(part.id)
      ) {
        const renamed = safeToolId(part.id, usedIds);
        usedIds.add(renamed);
        toolIds.set(part.id, renamed);
        count(changes, "renamedToolIds");
      }
    });
  });
  let thinkingOff: string | undefined;
  if (target.thinking === "signed" && request.thinking.mode === "enabled") {
    const lastAssistant = request.messages.findLastIndex((message) => message.role === "assistant");
    const message = request.messages[lastAssistant];
    if (message) {
      const parts = editedParts(message, lastAssistant, edits);
      const first = parts[0]?.type;
      if (parts.some((part) => part.type === "tool_call") && first !== "thinking" && first !== "redacted_thinking") {
        thinkingOff = `the final assistant turn (messages.${lastAssistant}) holds tool_use without Claude's thinking`;
        changes.thinkingOff = thinkingOff;
      }
    }
  }
  return { edits, toolIds, thinkingOff, changes };
}

function renameToolIds(part: CanonicalPart, toolIds: Map<string, string>): CanonicalPart {
  if (part.type === "tool_call" && toolIds.has(part.id)) return { ...part, id: toolIds.get(part.id) as string };
  if (part.type === "tool_result" && toolIds.has(part.toolCallId))
    return { ...part, toolCallId: toolIds.get(part.toolCallId) as string };
  return part;
}

type WireBlock = Record<string, unknown> & { type?: unknown };

/** A wire block as the canonical part the rules judge, for the blocks the rules look at. */
function ruledPart(block: WireBlock): CanonicalPart | undefined {
  if (block.type === "thinking")
    return {
      type: "thinking",
      text: typeof block.thinking === "string" ? block.thinking : "",
      signature: typeof block.signature === "string" ? block.signature : undefined,
    };
  if (block.type === "redacted_thinking") return { type: "redacted_thinking", data: String(block.data ?? "") };
  return undefined;
}

/**
 * The same rules on the Anthropic body the client sent, which the Anthropic backend passes through (it
 * keeps `cache_control` and betas the canonical model does not carry). Each wire block is judged on its
 * own rather than by position: normalization joins adjacent text parts, so canonical positions drift.
 */
function editWireBody(body: Record<string, unknown>, target: HistoryTarget, edits: Plan): Record<string, unknown> {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  const next: Record<string, unknown> = {
    ...body,
    messages: messages.flatMap((message) => {
      if (!Array.isArray(message.content)) return [message];
      const content = (message.content as WireBlock[]).flatMap((block): WireBlock[] => {
        const part = ruledPart(block);
        const edit = part && editFor(part, target, {});
        if (edit?.kind === "drop") return [];
        let out: WireBlock = edit?.kind === "text" ? { type: "text", text: edit.text } : block;
        if (block.type === "tool_use" && typeof block.id === "string" && edits.toolIds.has(block.id))
          out = { ...out, id: edits.toolIds.get(block.id) };
        if (
          block.type === "tool_result" &&
          typeof block.tool_use_id === "string" &&
          edits.toolIds.has(block.tool_use_id)
        )
          out = { ...out, tool_use_id: edits.toolIds.get(block.tool_use_id) };
        return [out];
      });
      return content.length > 0 ? [{ ...message, content }] : [];
    }),
  };
  if (edits.thinkingOff) {
    delete next.thinking;
    // Clearing thinking blocks is a context-editing strategy for requests with thinking on
    // (https://platform.claude.com/docs/en/build-with-claude/context-editing, "Thinking block clearing").
    const management = next.context_management as { edits?: Array<{ type?: string }> } | undefined;
    if (management && Array.isArray(management.edits)) {
      const kept = management.edits.filter((edit) => !String(edit.type).startsWith("clear_thinking"));
      if (kept.length > 0) next.context_management = { ...management, edits: kept };
      else delete next.context_management;
    }
  }
  return next;
}

/**
 * The request as `target` can take it: history made by other models converted (see the module comment),
 * and `changes` saying what was done. The request is returned unchanged when nothing needs converting.
 */
export function transformHistory(
  request: CanonicalRequest,
  target: HistoryTarget,
): { request: CanonicalRequest; changes: HistoryChanges | undefined } {
  const planned = plan(request, target);
  if (planned.edits.size === 0 && planned.toolIds.size === 0 && !planned.thinkingOff)
    return { request, changes: undefined };
  const messages = request.messages.flatMap((message, index) => {
    const parts = editedParts(message, index, planned.edits).map((part) => renameToolIds(part, planned.toolIds));
    // An assistant turn that held only another model's thinking has nothing left for this target.
    return parts.length > 0 ? [{ ...message, parts }] : [];
  });
  const client =
    target.thinking === "signed" &&
    request.client.protocol === "anthropic" &&
    request.client.body &&
    typeof request.client.body === "object"
      ? { ...request.client, body: editWireBody(request.client.body as Record<string, unknown>, target, planned) }
      : request.client;
  return {
    request: {
      ...request,
      messages,
      client,
      thinking: planned.thinkingOff ? { mode: "disabled" } : request.thinking,
    },
    changes: planned.changes,
  };
}
