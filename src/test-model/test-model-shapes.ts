export type TestModelSize = "tiny" | "small";

export interface TestModelShape {
  embedding: number;
  layers: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  contextLength: number;
  /** Scripted models: width of a context block and of the signature it copies (default: the head size). */
  contextWidth?: number;
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

/**
 * Scripted models whose replies need a third context token (DeepSeek V3.2): a fifth block of residual
 * channels does not fit in a 4-head model of the width above, so the heads are wider (80 and 160) and
 * the blocks keep the width the narrower model's heads have.
 */
export const SCRIPTED_DEEP_CONTEXT_SHAPES: Record<TestModelSize, TestModelShape> = {
  tiny: { ...SCRIPTED_MODEL_SHAPES.tiny, embedding: 320, contextWidth: 64 },
  small: { ...SCRIPTED_MODEL_SHAPES.small, embedding: 640, contextWidth: 128 },
};
