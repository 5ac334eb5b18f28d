/**
 * The output tokens a model spent on its reasoning, from llama-server's per-token timings
 * (`timings_per_token`: `predicted_n`, the tokens generated so far, on every event): the tokens each
 * event adds count as reasoning when the event carried reasoning alone. The markers around a reasoning
 * block are not counted on the chat path, where they reach no event (llama-server's parser takes them
 * out; their tokens arrive with the answer's first event). Where Switchyard reads the output itself
 * (`/completion`), the closing marker's tokens but its last are read while the parser still holds them
 * back inside the block, and count: a token or two more than the reasoning's own.
 */
export class ReasoningCount {
  private generated = 0;
  private reasoning = 0;
  /** Reasoning came in an event without `predicted_n` (timings on the last event only): not measured. */
  private unmeasured = false;

  /** An event at `predicted` tokens generated (undefined: it said not), which carried reasoning alone (or not). */
  add(predicted: number | undefined, reasoningAlone: boolean): void {
    if (predicted === undefined) {
      if (reasoningAlone) this.unmeasured = true;
      return;
    }
    const added = Math.max(0, predicted - this.generated);
    this.generated = Math.max(this.generated, predicted);
    if (reasoningAlone) this.reasoning += added;
  }

  /** The reasoning tokens; undefined when some reasoning came without a count. */
  get total(): number | undefined {
    return this.unmeasured ? undefined : this.reasoning;
  }
}
