import { configSchema } from "../../src/config/config-schema.js";
import { CostMeter } from "../../src/cost/turn-cost.js";
import type { ModelRouter } from "../../src/routing/model-router.js";
import { SessionRouter } from "../../src/routing/session-router.js";

/** Session routing as start-switchyard builds it, from a configuration of defaults plus `overrides`. */
export function sessionRouting(router: ModelRouter, overrides: Record<string, unknown> = {}): Promise<SessionRouter> {
  const config = configSchema.parse(overrides);
  return SessionRouter.create(router, config.routing, new CostMeter(config.cost));
}
