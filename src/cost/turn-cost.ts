import type { Usage } from "../core/canonical.js";
import type { CostConfig } from "./cost-config.js";
import { PriceTable, usageCostUsd } from "./pricing.js";

/** What one turn cost (cloud), or would have cost on the reference model (local). */
export interface TurnCost {
  /** Paid to the cloud for this turn; set for cloud turns whose model is priced. */
  usd?: number;
  /** What the turn would have cost on the reference model; set for local turns. */
  referenceUsd?: number;
  /** Electricity for a local turn (watts × seconds × price per kWh), when configured. */
  energyUsd?: number;
  /** The price-table entry used, or undefined when the model has no price. */
  modelPriced: string | undefined;
}

export interface TurnForCost {
  backendLocal: boolean | undefined;
  backendModel: string;
  usage: Usage | undefined;
  durationMs: number;
}

/** Prices turns: cloud turns at their model's price, local ones at the reference model's. */
export class CostMeter {
  private readonly prices: PriceTable;

  constructor(private readonly config: CostConfig) {
    this.prices = new PriceTable(config.pricing);
  }

  priceOf(model: string) {
    return this.prices.lookup(model);
  }

  turnCost(turn: TurnForCost): TurnCost | undefined {
    if (!turn.usage || turn.backendLocal === undefined) return undefined;
    if (!turn.backendLocal) {
      const entry = this.prices.lookup(turn.backendModel);
      return { usd: entry ? usageCostUsd(turn.usage, entry.price) : undefined, modelPriced: entry?.model };
    }
    const entry = this.prices.lookup(this.config.referenceModel);
    // On the cloud the reused prefix would have been cache reads and the prefilled part first-time input.
    const cost: TurnCost = {
      referenceUsd: entry ? usageCostUsd(turn.usage, entry.price) : undefined,
      modelPriced: entry?.model,
    };
    const energy = this.config.energy;
    if (energy) cost.energyUsd = (energy.watts * (turn.durationMs / 1000) * energy.pricePerKWh) / 3_600_000;
    return cost;
  }
}
