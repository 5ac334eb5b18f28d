import { readClientName } from "../sessions/client-name.js";
import { withEvalTag } from "../telemetry/eval-tag.js";
import type { SessionSummary } from "../telemetry/turn-source.js";

/**
 * A session row from either store's SQL: its nullable `evalTag` (JSON) and `client` columns become fields
 * that are there only when set, as in the in-memory fold, so every source gives equal summaries.
 */
export function sessionSummaryOf(row: SessionSummary & { client?: unknown }): SessionSummary {
  const { client, ...rest } = withEvalTag(row);
  const name = readClientName(client);
  return name ? { ...rest, client: name } : rest;
}
