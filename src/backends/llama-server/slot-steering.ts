/**
 * Where a lane's turn goes on a server that empties idle slots (a unified KV cache with llama-server's
 * default `--cache-idle-slots`, probed by probe-slot-keeping.ts), where lanes are not pinned.
 *
 * Such a server moves every idle slot's prompt to its RAM prompt cache when a task starts, but only after
 * the task has taken its slot: the slot it picks itself (the least recently used, mostly an empty one)
 * first restores the lane's prompt from the RAM cache into free KV cells, while the slot of the last task
 * still holds that task's prompt. When the two prompts do not fit in the context together, the restore
 * fails ("failed to find N available cells in kv cache") and the whole prompt is prefilled again: measured
 * on `-np 4 --kv-unified -c 8192`, two sessions of ~4,400 tokens taking turns reused nothing, every turn.
 * A request sent to the idle slot that holds a prompt (`id_slot`) has that prompt saved to the RAM cache
 * and the lane's restored in its place, in the same cells (the same two sessions: ~5,890 of ~5,890
 * tokens reused at every turn). With agents that is the common case: Claude Code's main agent and a
 * subagent each carry its ~20K-token system prompt and tools, more than a 32K context holds twice.
 *
 * So: when another task started on the server since the lane's last turn ended (its prompt is then in the
 * RAM cache), the turn goes to the idle slot holding the most tokens; else (a lane's first turn, or its
 * prompt still in a slot, which the server finds by similarity) the server places it as before.
 */

/** One slot as `GET /slots` shows it. */
export interface SlotState {
  id: number;
  processing: boolean;
  /** Tokens the slot holds (0 once emptied; absent before its first task). */
  tokens: number;
  /** The last task the slot ran (`id_task`), none before its first. */
  task: number | undefined;
}

/** What a slot holds and whether it works: all that steering and making room read of it. */
export type SlotHolding = Pick<SlotState, "id" | "processing" | "tokens">;

/** The slots of a `GET /slots` answer; undefined when it is not one. */
export function parseSlots(json: unknown): SlotState[] | undefined {
  if (!Array.isArray(json)) return undefined;
  const slots: SlotState[] = [];
  for (const item of json) {
    if (typeof item !== "object" || item === null) return undefined;
    const slot = item as { id?: unknown; is_processing?: unknown; n_prompt_tokens?: unknown; id_task?: unknown };
    if (typeof slot.id !== "number" || typeof slot.is_processing !== "boolean") return undefined;
    slots.push({
      id: slot.id,
      processing: slot.is_processing,
      tokens: typeof slot.n_prompt_tokens === "number" ? slot.n_prompt_tokens : 0,
      task: typeof slot.id_task === "number" ? slot.id_task : undefined,
    });
  }
  return slots;
}

/**
 * The idle slot holding the most tokens that no other turn of this gateway is being steered to, if any:
 * restoring the lane there frees the most cells, and an empty slot would gain nothing (the server does not
 * restore into a slot named for a request while it is empty).
 */
export function steerTarget(slots: readonly SlotHolding[], claimed: ReadonlySet<number>): number | undefined {
  let best: SlotHolding | undefined;
  for (const slot of slots) {
    if (slot.processing || slot.tokens === 0 || claimed.has(slot.id)) continue;
    if (!best || slot.tokens > best.tokens) best = slot;
  }
  return best?.id;
}

/**
 * Room in a shared context, for an engine Switchyard launches (slots keep their prompts, lanes pinned).
 * When a turn's prompt does not fit beside what the other slots hold, llama-server empties idle slots in
 * slot order until it does (`try_clear_idle_slots`), without saving them: measured on an 8K context, a
 * main agent and a subagent of ~6,100 tokens each lost their whole prompt at every turn, and the real
 * agent session on a 32K context prefilled 1.535× its minimum (3 sessions interleaved: 4.014×). So before
 * such a turn, Switchyard sends a one-token request to each idle slot it chooses to empty (the least
 * important lane first: side, subagent, main; the larger first among equals): the server saves that slot's
 * prompt to its RAM cache before taking it, and restores it when its lane comes back to the slot.
 */
export interface RoomSlot extends SlotHolding {
  /** The kind of lane pinned to the slot (`empty` when none). */
  rank: number;
}

/** The idle slots to empty, in order, so that `need` more tokens fit in `capacity` beside the rest. */
export function slotsToEmpty(slots: readonly RoomSlot[], own: number, need: number, capacity: number): number[] {
  let held = 0;
  for (const slot of slots) if (slot.id !== own) held += slot.tokens;
  const victims = slots
    .filter((slot) => slot.id !== own && !slot.processing && slot.tokens > 0)
    .sort((a, b) => a.rank - b.rank || b.tokens - a.tokens);
  const chosen: number[] = [];
  for (const victim of victims) {
    if (held + need <= capacity) break;
    chosen.push(victim.id);
    held -= victim.tokens;
  }
  return chosen;
}
