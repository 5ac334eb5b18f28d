export type TestModelSize = "tiny" | "small";

export interface TestModelShape {
  embedding: number;
  layers: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  contextLength: number;
}

/**
 * tiny keeps tests fast; small makes prefill cost visible on a CPU (seconds for 16K cold tokens) so
 * that cache reuse shows in timings.
 */
export const TEST_MODEL_SHAPES: Record<TestModelSize, TestModelShape> = {
  tiny: { embedding: 64, layers: 2, heads: 4, kvHeads: 2, feedForward: 128, contextLength: 131072 },
  small: { embedding: 256, layers: 4, heads: 4, kvHeads: 2, feedForward: 512, contextLength: 131072 },
};

/**
 * Scripted models (any template, tool calls) say longer replies and need room for dedicated channels
 * (docs/design/test-model.md), so they are wider: chain logits stand further above the cross-talk of
 * hundreds of chain rows, and a head has 32 RoPE pairs to find the tokens one and two places back.
 */
export const SCRIPTED_MODEL_SHAPES: Record<TestModelSize, TestModelShape> = {
  tiny: { embedding: 256, layers: 2, heads: 4, kvHeads: 2, feedForward: 256, contextLength: 131072 },
  small: { embedding: 512, layers: 4, heads: 4, kvHeads: 2, feedForward: 512, contextLength: 131072 },
};
