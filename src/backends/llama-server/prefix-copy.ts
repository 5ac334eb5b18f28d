import type { CanonicalRequest } from "../../core/canonical.js";
import { sameJson } from "../../util/same-json.js";

/**
 * A new session's first turn on an engine Switchyard launches, when another session's slot holds the same
 * head (agents send the same system prompt and tools in every session).
 *
 * Lanes are pinned to slots, and a lane without one gets an empty slot while there is one. llama-server
 * never restores anything into a slot named for a request while it is empty (`get_available_slot`: for an
 * empty slot `f_keep` is 0/0, so its RAM prompt cache is not consulted), so that turn prefilled the whole
 * prompt: measured, 11,969 tokens of Claude Code's first request, while another slot held the same
 * ~11.8K-token head. Taking over that lane's slot instead would cost it its tail, and a RAM-cache entry
 * is moved into the slot that loads it, not copied. A slot file is a copy: the other slot is saved to a
 * file (`/slots/N?action=save`) and the file restored into the empty slot (`?action=restore`), which the
 * new lane's turn then extends from where the two prompts part; the other lane keeps its slot whole.
 *
 * The copy writes and reads the other slot's whole KV cache, so it is made only when the shared head is
 * worth it: at least `MIN_COPY_TOKENS`, and at least half of what the other slot holds. Below half,
 * llama-server would also save the copy to its RAM prompt cache when the turn starts (`f_keep < 0.5`),
 * a second copy of a prompt another slot holds, which can push out what room-making put there.
 */
export const MIN_COPY_TOKENS = 512;

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
 * The slot whose prompt shares the longest head with `request`, when copying it is worth it and fits
 * (`held` tokens are in the context now, of `capacity`); of slots sharing about as much (within a tenth),
 * the one holding the fewest tokens, the cheapest to copy.
 */
export function chooseCopySource(
  request: CanonicalRequest,
  candidates: readonly CopyCandidate[],
  held: number,
  capacity: number,
): CopySource | undefined {
  const worth = candidates.flatMap((candidate) => {
    if (candidate.tokens === 0 || held + candidate.tokens > capacity) return [];
    const sharedTokens = Math.floor(sharedHeadFraction(candidate.request, request) * candidate.promptTokens);
    if (sharedTokens < MIN_COPY_TOKENS || sharedTokens * 2 < candidate.tokens) return [];
    return [{ slot: candidate.slot, sharedTokens, tokens: candidate.tokens }];
  });
  const most = Math.max(0, ...worth.map((each) => each.sharedTokens));
  const [best] = worth.filter((each) => each.sharedTokens * 10 >= most * 9).sort((a, b) => a.tokens - b.tokens);
  return best && { slot: best.slot, sharedTokens: best.sharedTokens };
}

/**
 * The share of `source` (by serialized size) that `request` begins with, in the order templates render a
 * request: the system prompt's parts, the tools, then the messages and their blocks, up to the first that
 * differs. An estimate: a template that writes the tools after the first user message shares less.
 */
export function sharedHeadFraction(source: CanonicalRequest, request: CanonicalRequest): number {
  const sizes = { system: source.system.map((part) => part.text.length), tools: JSON.stringify(source.tools).length };
  const messageSizes = source.messages.map((message) => message.parts.map((part) => JSON.stringify(part).length));
  const total =
    sizes.system.reduce((sum, size) => sum + size, 0) +
    sizes.tools +
    messageSizes.flat().reduce((sum, size) => sum + size, 0);
  if (total === 0) return 0;
  let shared = 0;
  for (const [index, part] of source.system.entries()) {
    if (request.system[index]?.text !== part.text) return shared / total;
    shared += sizes.system[index] as number;
  }
  if (request.system.length !== source.system.length || !sameJson(source.tools, request.tools)) return shared / total;
  shared += sizes.tools;
  for (const [index, message] of source.messages.entries()) {
    const other = request.messages[index];
    if (other?.role !== message.role) return shared / total;
    for (const [partIndex, part] of message.parts.entries()) {
      if (!sameJson(part, other.parts[partIndex])) return shared / total;
      shared += messageSizes[index]?.[partIndex] ?? 0;
    }
  }
  return shared / total;
}
