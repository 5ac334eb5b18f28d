import type { CanonicalRequest } from "../../core/canonical.js";
import { divergencePoint } from "../../sessions/prefix-diff.js";
import { withoutTrailingNote } from "../../sessions/turn-note.js";

/**
 * A new session's first turn on an engine Switchyard launches, when another session's slot holds the same
 * head (agents send the same system prompt and tools in every session).
 *
 * Lanes are pinned to slots. A lane without one gets an empty slot while there is one, else an idle lane's
 * slot, whose prompt the backend first moves to the server's RAM cache. llama-server never restores
 * anything into a slot named for a request while it is empty (`get_available_slot`: for an empty slot
 * `f_keep` is 0/0, so its RAM prompt cache is not consulted), and a lane's prompt is in the RAM cache only
 * once its slot was taken, so that turn prefilled the whole prompt: measured, 11,969 tokens of Claude
 * Code's first request, while another slot held the 9,606 tokens the two prompts begin with. Taking over
 * that lane's slot instead would cost it its tail, and a RAM-cache entry is moved into the slot that loads
 * it, not copied. A slot file is a copy: the other slot is saved to a file (`/slots/N?action=save`) and the
 * file restored into the new lane's slot (`?action=restore`), which the new lane's turn then extends from
 * where the two prompts part; the other lane keeps its slot whole. Only a lane's first turn on the server
 * is copied for: a lane coming back finds its own prompt in the RAM cache.
 *
 * The copy writes and reads the other slot's whole KV cache, which can be far more than the head it brings
 * (a long-running session's slot). So it is made only when it costs less than half the prefill it saves:
 * the slot's tokens × the KV cache's bytes per token ÷ the file's write-and-read speed, against the shared
 * tokens ÷ the backend's prefill speed (`CopyCosts`). Before the bytes per token are known (the model's KV
 * cache per token, or a copy measured), a copy is made only when the head is at least half of what the slot
 * holds. Either way the head is at least `MIN_COPY_TOKENS`. A copy over twice the head is also saved to the
 * server's RAM prompt cache when the turn starts (`f_keep < 0.5` in `get_available_slot`), a second copy of
 * a prompt another slot holds until the cache's oldest entries make room.
 */
export const MIN_COPY_TOKENS = 512;

/** Slot files are assumed saved and restored at this rate (file bytes per second, both) until a copy is measured. */
export const ASSUMED_COPY_BYTES_PER_SECOND = 250e6;

/** What weighs a copy against the prefill it saves. */
export interface CopyCosts {
  prefillTokensPerSecond: number;
  /** A slot file's bytes per token; undefined while unknown. */
  bytesPerToken: number | undefined;
  /** Bytes of a slot file written and read back per second. */
  copyBytesPerSecond: number;
  /** The disk a slot file may take (`engine.slotSaveMaxMiB`): a larger copy is not made. */
  maxFileBytes: number;
}

/** An idle slot whose lane ran on this server, with what it holds and that lane's last request. */
export interface CopyCandidate {
  slot: number;
  /** Tokens the slot holds (`GET /slots`: the last prompt and its answer). */
  tokens: number;
  /** The lane's last request on this server and its prompt's tokens. */
  request: CanonicalRequest;
  promptTokens: number;
}

/** The candidate to copy from and the head, in tokens, it is expected to share with `request`. */
export interface CopySource {
  slot: number;
  sharedTokens: number;
}

/**
 * The slot worth copying for `request`, of those that fit beside what the context holds (`inContext`
 * tokens, of `capacity`): the one that saves the most time, or, with the bytes per token unknown, the most
 * head less a quarter of what it holds.
 */
export function chooseCopySource(
  request: CanonicalRequest,
  candidates: readonly CopyCandidate[],
  inContext: number,
  capacity: number,
  costs: CopyCosts,
): CopySource | undefined {
  let best: (CopySource & { gain: number }) | undefined;
  for (const candidate of candidates) {
    // A slot holding less than its lane's last prompt no longer holds that prompt (room-making moved it to
    // the RAM cache, or the server restarted): nothing of it to copy.
    if (candidate.tokens < candidate.promptTokens || inContext + candidate.tokens > capacity) continue;
    const sharedTokens = Math.floor(sharedHeadFraction(candidate.request, request) * candidate.promptTokens);
    if (sharedTokens < MIN_COPY_TOKENS) continue;
    let gain: number;
    if (costs.bytesPerToken === undefined) {
      if (sharedTokens * 2 < candidate.tokens) continue;
      gain = sharedTokens - candidate.tokens / 4;
    } else {
      if (candidate.tokens * costs.bytesPerToken > costs.maxFileBytes) continue;
      const savedSeconds = sharedTokens / costs.prefillTokensPerSecond;
      const copySeconds = (candidate.tokens * costs.bytesPerToken) / costs.copyBytesPerSecond;
      if (copySeconds * 2 > savedSeconds) continue;
      gain = savedSeconds - copySeconds;
    }
    if (!best || gain > best.gain) best = { slot: candidate.slot, sharedTokens, gain };
  }
  return best && { slot: best.slot, sharedTokens: best.sharedTokens };
}

/**
 * The share of `source` (by serialized size) that `request` begins with, in the order templates render a
 * request: the system prompt's parts, the tools, then the messages and their blocks, up to where the
 * request stops extending it (`divergencePoint`, the miss analysis's own comparison). An estimate: a
 * template that writes the tools after the first user message shares less.
 */
export function sharedHeadFraction(source: CanonicalRequest, request: CanonicalRequest): number {
  const systemSizes = source.system.map((part) => part.text.length);
  const toolsSize = JSON.stringify(source.tools).length;
  const messageSizes = source.messages.map((message) => message.parts.map((part) => JSON.stringify(part).length));
  const sum = (sizes: readonly number[]) => sizes.reduce((total, size) => total + size, 0);
  const total = sum(systemSizes) + toolsSize + sum(messageSizes.flat());
  if (total === 0) return 0;
  // Extending it, the request shares all of it but the per-request note it may end with.
  const point = divergencePoint(source, request) ?? {
    in: "message",
    index: withoutTrailingNote(source).messages.length,
    removed: true,
  };
  if (point.in === "system") return sum(systemSizes.slice(0, point.index)) / total;
  if (point.in === "tools") return sum(systemSizes) / total;
  const messages = sum(messageSizes.slice(0, point.index).flat());
  const blocks = point.in === "block" ? sum(messageSizes[point.index]?.slice(0, point.part) ?? []) : 0;
  return (sum(systemSizes) + toolsSize + messages + blocks) / total;
}
