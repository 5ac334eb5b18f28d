import type { Usage } from "../core/canonical.js";
import type { Price } from "./cost-config.js";

/**
 * Anthropic's published prices, USD per million tokens; `cacheWrite` is the 5-minute write (the
 * default TTL). Read on 2026-12-01 from:
 * - https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing"): Fable 5.1, Opus 5,
 *   4.8, 4.7, 4.6, 4.5, 4.1, 4; in an earlier revision of the same table: Sonnet 4.6, 4.5, 4, Haiku 4.5, 3.5;
 * - https://platform.claude.com/docs/en/models/sonnet-5-5/overview and …/models/sonnet-5/overview
 *   ("Pricing"): Sonnet 5.5 and Sonnet 5 ($2 input, $2.50 5m cache write, $0.20 cache read, $10 output).
 *   Trackers' release notes report a cut of Sonnet 5.5 cache reads to $0.10 on 2026-10-07 that the
 *   model page we read does not show yet; override it in `cost.pricing` if your bill says so;
 * - Opus 5.5: $4 / $20 from the models comparison table on those pages; its cache prices are the
 *   page's multipliers (write 1.25×, read 0.05× as for the 5.5 generation).
 * Names are prefixes: the longest that starts the model id wins, so dated ids match too.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  "claude-fable-5-1": { input: 10, cacheWrite: 12.5, cacheRead: 0.25, output: 50 },
  "claude-opus-5-5": { input: 4, cacheWrite: 5, cacheRead: 0.2, output: 20 },
  "claude-opus-5": { input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 25 },
  "claude-opus-4-8": { input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 25 },
  "claude-opus-4-7": { input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 25 },
  "claude-opus-4-6": { input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 25 },
  "claude-opus-4-5": { input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 25 },
  "claude-opus-4-1": { input: 15, cacheWrite: 18.75, cacheRead: 1.5, output: 75 },
  "claude-opus-4": { input: 15, cacheWrite: 18.75, cacheRead: 1.5, output: 75 },
  "claude-sonnet-5-5": { input: 2, cacheWrite: 2.5, cacheRead: 0.2, output: 10 },
  "claude-sonnet-5": { input: 2, cacheWrite: 2.5, cacheRead: 0.2, output: 10 },
  "claude-sonnet-4-6": { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 },
  "claude-sonnet-4-5": { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 },
  "claude-sonnet-4": { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 },
  "claude-haiku-4-5": { input: 1, cacheWrite: 1.25, cacheRead: 0.1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, cacheWrite: 1, cacheRead: 0.08, output: 4 },
};

export interface PriceEntry {
  /** The table entry that matched. */
  model: string;
  price: Price;
}

/** Prices by model name: the built-in table with the config's entries over it. */
export class PriceTable {
  private readonly entries: Array<[string, Price]>;

  constructor(overrides: Readonly<Record<string, Price>> = {}) {
    const merged = { ...DEFAULT_PRICES };
    for (const [name, price] of Object.entries(overrides)) merged[name.replace(/\*$/, "")] = price;
    // Longest prefix first, so `claude-opus-4-1` wins over `claude-opus-4` for `claude-opus-4-1-2025…`.
    this.entries = Object.entries(merged).sort(([a], [b]) => b.length - a.length);
  }

  lookup(model: string): PriceEntry | undefined {
    const name = model.toLowerCase();
    const found = this.entries.find(([prefix]) => name.startsWith(prefix.toLowerCase()));
    return found ? { model: found[0], price: found[1] } : undefined;
  }
}

/** What a turn's usage costs at a price: prefilled input, cache reads, cache writes and output. */
export function usageCostUsd(usage: Usage, price: Price): number {
  return (
    (usage.inputTokens * price.input +
      usage.cacheReadTokens * price.cacheRead +
      usage.cacheWriteTokens * price.cacheWrite +
      usage.outputTokens * price.output) /
    1_000_000
  );
}
