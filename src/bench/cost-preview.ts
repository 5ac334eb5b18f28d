import { PriceTable } from "../cost/pricing.js";
import type { BenchTarget } from "./bench-target.js";
import type { PreflightOptions } from "./preflight.js";

export interface CostPreview {
  target: string;
  inputTokens: number;
  outputTokens: number;
  /** At the target model's published price, uncached (the upper bound); undefined when its price is unknown. */
  usd: number | undefined;
}

/** What a pre-flight would send a cloud target at most: every cold and warm prompt prefilled in full. */
export function previewCost(
  target: BenchTarget,
  options: Pick<PreflightOptions, "depths" | "reps" | "warmAppend" | "maxTokens">,
  prices = new PriceTable(),
): CostPreview {
  const perRep = options.depths.reduce((sum, depth) => sum + depth * 2 + options.warmAppend + 32, 0);
  const inputTokens = perRep * options.reps;
  const outputTokens = options.depths.length * options.reps * 2 * options.maxTokens;
  const price = prices.lookup(target.model)?.price;
  const usd = price ? (inputTokens * price.input + outputTokens * price.output) / 1_000_000 : undefined;
  return { target: target.name, inputTokens, outputTokens, usd };
}
