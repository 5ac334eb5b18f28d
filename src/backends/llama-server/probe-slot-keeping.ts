/**
 * Does the server keep an idle slot's prompt while another slot works? llama-server with a unified KV
 * cache and `--cache-idle-slots` (its default when it has a RAM prompt cache, which it has by default)
 * saves every idle slot to the RAM cache and empties it whenever a task starts. A request pinned to an
 * emptied slot (`id_slot`) is not restored from that cache (llama-server restores only for slots it
 * chooses itself), so pinning would lose the lane's whole prefix after any other lane's turn.
 *
 * The probe does what a session does: a prompt on slot 0, another on slot 1, the first again on slot 0,
 * one token each, and reads how much of the first prompt slot 0 still had (`timings.cache_n`).
 */
export type CompletionCall = (body: Record<string, unknown>) => Promise<{ timings?: { cache_n?: number } }>;

/** A prompt of a few hundred tokens that no user prompt starts with. */
function probePrompt(label: string): string {
  const words = Array.from({ length: 120 }, (_, index) => `${label}${index}`);
  return `Switchyard slot probe ${label}: ${words.join(" ")}`;
}

export async function keepsIdleSlots(complete: CompletionCall, slots: number): Promise<boolean> {
  if (slots < 2) return true;
  const nonce = Math.random().toString(36).slice(2, 8);
  const first = probePrompt(`a${nonce}`);
  const call = (prompt: string, slot: number) =>
    complete({ prompt, id_slot: slot, cache_prompt: true, n_predict: 1, temperature: 0 });
  try {
    await call(first, 0);
    await call(probePrompt(`b${nonce}`), 1);
    const again = await call(first, 0);
    return again.timings?.cache_n === undefined || again.timings.cache_n > 0;
  } catch {
    // A server without /completion (or that refuses the probe) is pinned as before: the probe only
    // turns pinning off on evidence that idle slots are emptied.
    return true;
  }
}
