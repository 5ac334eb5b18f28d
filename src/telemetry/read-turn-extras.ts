import type { TurnRecord } from "./turn-record.js";

/**
 * Routing and cost accounting (issue 6) add optional `routing` and `cost` fields to turn records. The
 * TurnRecord type has them, but every reader (dashboard, store, metrics, session totals) goes through
 * here and reads them defensively: records read back from disk, written before those fields existed or
 * by another version, may lack them or hold other shapes, and must never break a reader.
 */
export interface TurnCostView {
  /** Paid to the cloud for this turn (cloud turns whose model is priced). */
  usd: number | undefined;
  /** What the turn would have cost on the reference cloud model (local turns). */
  referenceUsd: number | undefined;
  /** Electricity for a local turn, when configured. */
  energyUsd: number | undefined;
  /** referenceUsd − energyUsd: what serving the turn locally saved. */
  savedUsd: number | undefined;
}

export interface SwitchCostView {
  from: string | undefined;
  to: string | undefined;
  tokensNotCached: number | undefined;
  seconds: number | undefined;
  cacheWriteUsd: number | undefined;
}

export interface TurnRoutingView {
  rule: string | undefined;
  reason: string | undefined;
  /** False when this turn changed the session's route. */
  sticky: boolean | undefined;
  switchCost: SwitchCostView | undefined;
  /** Backends that failed before this one answered. */
  fallback: Array<{ backend: string; code: string }>;
}

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const field = (turn: TurnRecord, name: string) => (turn as unknown as Record<string, unknown>)[name];

export function turnCostView(turn: TurnRecord): TurnCostView | undefined {
  const cost = object(field(turn, "cost"));
  if (!cost) return undefined;
  const usd = finite(cost.usd);
  const referenceUsd = finite(cost.referenceUsd);
  const energyUsd = finite(cost.energyUsd);
  if (usd === undefined && referenceUsd === undefined && energyUsd === undefined) return undefined;
  const savedUsd = referenceUsd === undefined ? undefined : referenceUsd - (energyUsd ?? 0);
  return { usd, referenceUsd, energyUsd, savedUsd };
}

export function turnRoutingView(turn: TurnRecord): TurnRoutingView | undefined {
  const routing = object(field(turn, "routing"));
  if (!routing) return undefined;
  const cost = object(routing.switchCost);
  const fallback = Array.isArray(routing.fallback) ? routing.fallback.map(object) : [];
  return {
    rule: text(routing.rule),
    reason: text(routing.reason),
    sticky: typeof routing.sticky === "boolean" ? routing.sticky : undefined,
    switchCost: cost && {
      from: text(cost.from),
      to: text(cost.to),
      tokensNotCached: finite(cost.tokensNotCached),
      seconds: finite(cost.seconds),
      cacheWriteUsd: finite(cost.cacheWriteUsd),
    },
    fallback: fallback.flatMap((entry) =>
      entry ? [{ backend: text(entry.backend) ?? "?", code: text(entry.code) ?? "?" }] : [],
    ),
  };
}
