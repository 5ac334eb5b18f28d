import type { TurnRecord } from "./turn-record.js";

/**
 * Fields that routing and cost accounting (issue 6) add to turn records. Read defensively: records
 * written before those fields existed, or by other versions, may lack them or hold other shapes.
 */
export interface TurnCost {
  /** What the turn cost (clouds; zero or energy for local backends). */
  usd: number;
  /** What the turn would have cost on the reference cloud model. */
  referenceUsd: number | undefined;
}

export interface TurnRouting {
  rule: string | undefined;
  reason: string | undefined;
  /** Estimated cost of the switch this decision made, in whatever shape the router reports it. */
  switchCost: unknown;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export function turnCost(turn: TurnRecord): TurnCost | undefined {
  const cost = record((turn as unknown as Record<string, unknown>).cost);
  const usd = finite(cost?.usd);
  return cost && usd !== undefined ? { usd, referenceUsd: finite(cost.referenceUsd) } : undefined;
}

export function turnRouting(turn: TurnRecord): TurnRouting | undefined {
  const routing = record((turn as unknown as Record<string, unknown>).routing);
  if (!routing) return undefined;
  return { rule: text(routing.rule), reason: text(routing.reason), switchCost: routing.switchCost };
}
