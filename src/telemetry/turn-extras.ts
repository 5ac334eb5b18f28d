import type { TurnRecord } from "./turn-record.js";

/**
 * Fields that routing and cost accounting (issue 6) add to turn records. Read through this narrow,
 * optional view so the store and metrics work with records that have them and records that do not,
 * and so that a record written by an older or newer Switchyard never breaks a reader.
 */
export interface TurnExtras {
  routing?: unknown;
  /** `usd`: paid to the cloud; `referenceUsd`: what a local turn would have cost on the reference model; `energyUsd`: its electricity. */
  cost?: { usd?: unknown; referenceUsd?: unknown; energyUsd?: unknown };
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** What a turn cost in USD (0 when the record says nothing: local turns, or no pricing). */
export function turnCostUsd(turn: TurnRecord): number {
  return finiteNumber((turn as TurnRecord & TurnExtras).cost?.usd) ?? 0;
}

/** A local turn's price on the reference cloud model, when the record has one. */
export function turnReferenceUsd(turn: TurnRecord): number | undefined {
  return finiteNumber((turn as TurnRecord & TurnExtras).cost?.referenceUsd);
}

/** A local turn's electricity cost, when configured. */
export function turnEnergyUsd(turn: TurnRecord): number | undefined {
  return finiteNumber((turn as TurnRecord & TurnExtras).cost?.energyUsd);
}

/** The routing decision, when the record carries one. */
export function turnRouting(turn: TurnRecord): unknown {
  return (turn as TurnRecord & TurnExtras).routing;
}
