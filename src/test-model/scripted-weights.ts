import type { ChainLink } from "./chain-plan.js";
import type { TestModelShape } from "./test-model-shapes.js";
import type { ContextDepth } from "./unique-segmentation.js";

/*
 * The designed parts of a scripted model (docs/design/test-model.md). Layer 0's attention is built, not
 * random: head 0 (key/value head 0) is the tool-result switch; heads 2 and 3 (key/value head 1) copy the
 * signatures of the tokens one and two places back into the residual, so a chain can leave a token
 * differently depending on the tokens before it. Head 1 is silent, or with a context depth of 3 copies
 * the signature of the token three places back: it shares key/value head 0 with the switch, whose key
 * uses only the lowest-frequency RoPE pair and whose value only dimension 0, so the other pairs and
 * dimensions are its own. Residual channels (width = the shape's context width, else the head size):
 *   0                                  constant 1 in every embedding (queries, biases)
 *   SWITCH                             written only by the switch head: ~2 when the marker is in the prompt
 *   MARKER                             non-zero only in the marker token's embedding
 *   PREVIOUS .. +depth×width           written only by the context heads (one block each, nearest first)
 *   signature .. +width                random embedding channels the context heads read
 * Every embedding has exactly rms 1, so the attention norm leaves it unchanged and keys do not vary
 * from token to token.
 */
const SWITCH = 1;
const MARKER = 2;
const PREVIOUS = 3;
const MARKER_VALUE = 4;
/** Switch head: query from channel 0, key from the marker channel, in the lowest-frequency RoPE pair. */
const SWITCH_QUERY = 7;
const SWITCH_KEY = 7;
/** The switch channel holds ~2 when the marker is present (value 4 × 0.5), exactly 0 when not. */
const SWITCH_WRITE = 0.5;
const SWITCH_VALUE = 2;
/**
 * Where the tool call and the answer after it would go on from the same context, the switch decides:
 * every row of the tool call gets +TOOL_CALL_BIAS × (1 - switch), every row of the answer +SWITCH_SWING ×
 * switch (a row in both gets both). Without a tool result the tool call leads by 15; with one, the
 * answer by 30.
 */
export const TOOL_CALL_BIAS = 15;
export const SWITCH_SWING = 30;
/**
 * Context heads: the score of the key at distance Δ is Σ A_i cos((Δ-δ)θ_i) over the head's RoPE pairs
 * (δ = 1 or 2), with A_i falling as 2^(-i/3); for a 32-wide head it peaks at Δ=δ, 11% of the total above
 * any other Δ up to 65536 (computed numerically; wider heads do better). PREVIOUS_SCORE is the total
 * after the 1/√headSize scale, so the wanted token wins by ~29 nats.
 */
const PREVIOUS_SCORE = 260;
const FREQUENCY_BASE = 1_000_000;
/**
 * Logit terms of a chain row. Terms add up, and a context term counts whenever its token is one or two
 * places back, whatever the current token. So a link that needs context gets 30 from the current token
 * and 20 per context token (70 in all; a rival sharing the current token and one context gets 50, one
 * sharing both contexts but not the current token 40), and a link that needs none gets 70 from the
 * current token alone (its rivals reach at most 40). Random logits have a standard deviation near 1.
 */
export const CURRENT_WITH_CONTEXT = 30;
export const CONTEXT_STRENGTH = 20;
export const CURRENT_ALONE = 70;

export class ScriptedWeights {
  readonly headSize: number;
  /** Width of a context block and of the signature it copies. */
  private readonly width: number;
  private readonly signature: number;

  constructor(
    private readonly shape: TestModelShape,
    private readonly marker: number | undefined,
    private readonly depth: ContextDepth = 2,
  ) {
    this.headSize = shape.embedding / shape.heads;
    this.width = shape.contextWidth ?? this.headSize;
    this.signature = PREVIOUS + depth * this.width;
    // The third context head's value sits beside the switch's marker value in key/value head 0.
    const valueRoom = depth === 3 ? this.headSize - 1 : this.headSize;
    if (
      shape.heads / shape.kvHeads !== 2 ||
      shape.kvHeads !== 2 ||
      this.width > valueRoom ||
      this.signature + this.width > shape.embedding
    ) {
      throw new Error("a scripted test model needs 4 query heads on 2 key/value heads and room for its channels");
    }
  }

  /**
   * Clears the dedicated channels, marks the marker and scales every row to rms 1. The chain tokens'
   * signature blocks, and the rest of their random channels, are made mutually orthogonal, so a chain
   * row's terms add nothing where their token is not the current or context token (random vectors
   * would add cross-talk with a standard deviation of ~6 logits per 70-strong term).
   */
  shapeEmbeddings(embeddings: Float32Array, chainTokens: readonly number[]): void {
    const { embedding } = this.shape;
    for (let row = 0; row < embeddings.length; row += embedding) {
      embeddings[row] = 1;
      embeddings.fill(0, row + 1, row + this.signature);
      let randomEnergy = 0;
      for (let channel = this.signature; channel < embedding; channel++)
        randomEnergy += (embeddings[row + channel] ?? 0) ** 2;
      const fixedEnergy = row === (this.marker ?? -1) * embedding ? 1 + MARKER_VALUE ** 2 : 1;
      const scale = Math.sqrt((embedding - fixedEnergy) / randomEnergy);
      for (let channel = this.signature; channel < embedding; channel++) {
        embeddings[row + channel] = (embeddings[row + channel] ?? 0) * scale;
      }
    }
    const randomVariance = (embedding - 1) / (embedding - this.signature);
    this.orthogonalize(embeddings, chainTokens, this.signature, this.signature + this.width, randomVariance);
    this.orthogonalize(embeddings, chainTokens, this.signature + this.width, embedding, randomVariance);
    if (this.marker !== undefined) embeddings[this.marker * embedding + MARKER] = MARKER_VALUE;
  }

  /** Gram–Schmidt over channels [from, to) of the given rows, then each back to its expected length. */
  private orthogonalize(
    embeddings: Float32Array,
    tokens: readonly number[],
    from: number,
    to: number,
    variance: number,
  ) {
    const { embedding } = this.shape;
    const done: Float64Array[] = [];
    for (const token of tokens.slice(0, to - from)) {
      const vector = Float64Array.from(embeddings.subarray(token * embedding + from, token * embedding + to));
      for (const basis of done) {
        let dot = 0;
        for (let index = 0; index < vector.length; index++) dot += (vector[index] ?? 0) * (basis[index] ?? 0);
        for (let index = 0; index < vector.length; index++)
          vector[index] = (vector[index] ?? 0) - dot * (basis[index] ?? 0);
      }
      const length = Math.hypot(...vector);
      for (let index = 0; index < vector.length; index++) vector[index] = (vector[index] ?? 0) / length;
      done.push(vector);
      const scale = Math.sqrt(variance * vector.length);
      for (let index = 0; index < vector.length; index++) {
        embeddings[token * embedding + from + index] = (vector[index] ?? 0) * scale;
      }
    }
  }

  /** Layer 0's attention weights, all designed ([inputs, outputs] matrices: element at output × inputs + input). */
  layerZeroAttention(tensor: "attn_q" | "attn_k" | "attn_v" | "attn_output", values: Float32Array): void {
    const { embedding } = this.shape;
    const size = this.headSize;
    const set = (input: number, output: number, value: number) => {
      values[output * embedding + input] = value;
    };
    values.fill(0);
    const pairs = size / 2;
    // Query and key of a context head, pair by pair: their products sum to PREVIOUS_SCORE × √size.
    const products = (used: number) => {
      const amplitudes = Array.from({ length: used }, (_, pair) => 2 ** (-pair / 3));
      const total = amplitudes.reduce((sum, amplitude) => sum + amplitude, 0);
      return amplitudes.map((amplitude) => (amplitude / total) * PREVIOUS_SCORE * Math.sqrt(size));
    };
    const allPairs = products(pairs);
    // Where each context head's query, key/value head and value dimensions start. The third leaves the
    // lowest-frequency pair and value dimension 0 to the switch.
    const heads = [
      { distance: 1, query: 2 * size, keyValue: size, offset: 0, products: allPairs },
      { distance: 2, query: 3 * size, keyValue: size, offset: 0, products: allPairs },
      { distance: 3, query: size, keyValue: 0, offset: 1, products: products(pairs - 1) },
    ].slice(0, this.depth);
    switch (tensor) {
      case "attn_q":
        if (this.marker !== undefined) set(0, size - 2, SWITCH_QUERY);
        for (const head of heads) {
          head.products.forEach((product, pair) => {
            // Rotated back by `distance` positions' angle, so the score peaks that many tokens behind.
            const angle = head.distance * FREQUENCY_BASE ** (-(2 * pair) / size);
            set(0, head.query + 2 * pair, Math.sqrt(product) * Math.cos(angle));
            set(0, head.query + 2 * pair + 1, -Math.sqrt(product) * Math.sin(angle));
          });
        }
        return;
      case "attn_k":
        if (this.marker !== undefined) set(MARKER, size - 2, SWITCH_KEY);
        for (const head of heads) {
          head.products.forEach((product, pair) => {
            set(0, head.keyValue + 2 * pair, Math.sqrt(product));
          });
        }
        return;
      case "attn_v":
        set(MARKER, 0, 1);
        for (const head of heads) {
          for (let dimension = 0; dimension < this.width; dimension++)
            set(this.signature + dimension, head.keyValue + head.offset + dimension, 1);
        }
        return;
      case "attn_output":
        set(0, SWITCH, SWITCH_WRITE);
        heads.forEach((head, block) => {
          for (let dimension = 0; dimension < this.width; dimension++)
            set(head.query + head.offset + dimension, PREVIOUS + block * this.width + dimension, 1);
        });
        return;
      default: {
        const unknown: never = tensor;
        throw new Error(`no designed weights for ${unknown}`);
      }
    }
  }

  /** No random attention or feed-forward output writes into a dedicated channel (rows of [inputs, embedding]). */
  keepChannelsClean(values: Float32Array, inputs: number): void {
    values.fill(0, SWITCH * inputs, this.signature * inputs);
  }

  /**
   * Chain rows of the output layer: the source token's embedding (its successor's logit rises by 70,
   * or 30 when the link needs context); the signatures of the tokens before it (20 each) when the
   * source leads to different tokens after different ones; and the tool-result gate.
   */
  addLinks(weights: Float32Array, embeddings: Float32Array, links: readonly ChainLink[]): void {
    const { embedding } = this.shape;
    const energy = embedding + this.depth * this.width * ((embedding - 1) / (embedding - this.signature));
    // logit = row · h √d / |h|, with |h|² = the embedding's d plus the context signatures.
    const perLogit = Math.sqrt(energy) / (embedding * Math.sqrt(embedding));
    const signatureEnergy = (energy - embedding) / this.depth;
    const contextWeight = (CONTEXT_STRENGTH * Math.sqrt(energy)) / (signatureEnergy * Math.sqrt(embedding));
    const added = new Set<string>();
    const gated = new Set<string>();
    for (const link of links) {
      const row = link.to * embedding;
      const source = link.from * embedding;
      // Once per (source, successor) pair, however many contexts lead there.
      const pair = `${link.from} ${link.to}`;
      const strength = (link.context ? CURRENT_WITH_CONTEXT : CURRENT_ALONE) * perLogit;
      for (let channel = 0; channel < embedding && !added.has(pair); channel++) {
        weights[row + channel] = (weights[row + channel] ?? 0) + strength * (embeddings[source + channel] ?? 0);
      }
      added.add(pair);
      // Block 0 holds the previous token's signature, block 1 the one before it, …; context is nearest last.
      link.context?.toReversed().forEach((token, distance) => {
        // Once per (row, block, token), as chain-scores.ts counts it.
        const term = `${link.to} ${distance} ${token}`;
        if (added.has(term)) return;
        added.add(term);
        const block = row + PREVIOUS + distance * this.width;
        const signature = token * embedding + this.signature;
        for (let dimension = 0; dimension < this.width; dimension++) {
          weights[block + dimension] =
            (weights[block + dimension] ?? 0) + contextWeight * (embeddings[signature + dimension] ?? 0);
        }
      });
      if (link.when !== "always" && !gated.has(`${link.when} ${link.to}`)) {
        gated.add(`${link.when} ${link.to}`);
        const toolCall = link.when === "no-tool-result";
        if (toolCall) weights[row] = (weights[row] ?? 0) + TOOL_CALL_BIAS;
        const swing = toolCall ? -TOOL_CALL_BIAS : SWITCH_SWING;
        weights[row + SWITCH] = (weights[row + SWITCH] ?? 0) + swing / SWITCH_VALUE;
      }
    }
  }
}
