import { describe, expect, it } from "vitest";
import { costConfigSchema } from "./cost-config.js";
import { DEFAULT_PRICES, PriceTable, usageCostUsd } from "./pricing.js";
import { CostMeter } from "./turn-cost.js";

const usage = { inputTokens: 1_000_000, cacheReadTokens: 2_000_000, cacheWriteTokens: 100_000, outputTokens: 10_000 };

describe("price table", () => {
  it("matches dated ids by the longest prefix", () => {
    const table = new PriceTable();
    expect(table.lookup("claude-opus-4-1-20250805")?.model).toBe("claude-opus-4-1");
    expect(table.lookup("claude-opus-4-20250514")?.model).toBe("claude-opus-4");
    expect(table.lookup("claude-sonnet-4-5-20250929")?.price).toEqual(DEFAULT_PRICES["claude-sonnet-4-5"]);
    expect(table.lookup("qwen3.5-4b")).toBeUndefined();
  });

  it("lets the config override and add entries", () => {
    const table = new PriceTable({
      "claude-sonnet-5-5": { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 },
      "my-*": { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
    });
    expect(table.lookup("claude-sonnet-5-5")?.price.cacheRead).toBe(0.1);
    expect(table.lookup("my-model")?.model).toBe("my-");
  });

  it("prices each usage field at its own rate", () => {
    const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
    expect(usageCostUsd(usage, price)).toBeCloseTo(3 + 0.6 + 0.375 + 0.15, 10);
  });
});

describe("turn cost", () => {
  const meter = new CostMeter(
    costConfigSchema.parse({ referenceModel: "claude-sonnet-4-6", energy: { watts: 360, pricePerKWh: 0.5 } }),
  );

  it("prices a cloud turn at its own model", () => {
    const cost = meter.turnCost({ backendLocal: false, backendModel: "claude-opus-4-6", usage, durationMs: 1000 });
    expect(cost?.modelPriced).toBe("claude-opus-4-6");
    expect(cost?.usd).toBeCloseTo(usageCostUsd(usage, DEFAULT_PRICES["claude-opus-4-6"] as never), 10);
    expect(cost?.referenceUsd).toBeUndefined();
  });

  it("prices a local turn at the reference model, with energy", () => {
    const cost = meter.turnCost({ backendLocal: true, backendModel: "local.gguf", usage, durationMs: 10_000 });
    expect(cost?.usd).toBeUndefined();
    expect(cost?.modelPriced).toBe("claude-sonnet-4-6");
    expect(cost?.referenceUsd).toBeCloseTo(usageCostUsd(usage, DEFAULT_PRICES["claude-sonnet-4-6"] as never), 10);
    // 360 W for 10 s = 1 Wh = 0.001 kWh at $0.5.
    expect(cost?.energyUsd).toBeCloseTo(0.0005, 10);
  });

  it("leaves an unpriced cloud model unpriced instead of guessing", () => {
    const cost = meter.turnCost({ backendLocal: false, backendModel: "gpt-oss-120b", usage, durationMs: 1 });
    expect(cost).toEqual({ usd: undefined, modelPriced: undefined });
    expect(meter.turnCost({ backendLocal: true, backendModel: "x", usage: undefined, durationMs: 1 })).toBeUndefined();
  });
});
