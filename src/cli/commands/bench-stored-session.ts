import { existsSync } from "node:fs";
import type { FixtureRequest } from "../../bench/recorded-sessions.js";
import { storedSessionRequests } from "../../bench/stored-sessions.js";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { SqliteTurnStore } from "../../store/sqlite-turn-store.js";
import { JsonlTurnSource } from "../../telemetry/jsonl-turn-source.js";
import type { TurnSource } from "../../telemetry/turn-source.js";
import { defaultStoreFile } from "../../util/paths.js";

/**
 * `bench replay --store [FILE] [--session ID] [--turns N]` or `--turns FILE.jsonl [--session ID]`: one
 * session's turn records, from the SQLite store or the gateway's JSONL file, as requests of their shape.
 */
export async function readStoredSession(
  config: SwitchyardConfig,
  options: { store?: boolean | string; turns?: string; session?: string },
): Promise<{ id: string; where: string; requests: FixtureRequest[] }> {
  const fromStore = options.store !== undefined;
  const where = fromStore
    ? typeof options.store === "string"
      ? options.store
      : (config.store.path ?? defaultStoreFile())
    : (options.turns as string);
  if (!existsSync(where)) throw new Error(`no ${fromStore ? "turn store" : "turn records file"} at ${where}`);
  // Retention 0: a bench only reads, pruning is the gateway's job.
  const source: TurnSource & { close?: () => Promise<void> } = fromStore
    ? new SqliteTurnStore({ path: where, retentionDays: 0 })
    : new JsonlTurnSource(where);
  try {
    const id = options.session ?? (await source.sessions({ limit: 1 }))[0]?.sessionId;
    if (!id) throw new Error(`${where} holds no session`);
    const turns = await source.turns({ sessionId: id, limit: Number.POSITIVE_INFINITY });
    let requests = storedSessionRequests(turns);
    if (fromStore && options.turns !== undefined) requests = requests.slice(0, Number(options.turns));
    if (requests.length === 0) throw new Error(`session ${id} in ${where} has no answered Messages turn to replay`);
    return { id, where, requests };
  } finally {
    await source.close?.();
  }
}
