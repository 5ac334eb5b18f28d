import { PostgresTurnStore, redactedStoreUrl } from "./postgres-turn-store.js";
import { SqliteTurnStore } from "./sqlite-turn-store.js";
import type { TurnStore } from "./turn-store.js";

/** Where turns are kept: a SQLite file, or a PostgreSQL database (a URL). */
export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** A `--store` argument or a config value: a postgres:// URL is a database, anything else a file. */
export function storeLocation(pathOrUrl: string): StoreLocation {
  return /^postgres(ql)?:\/\//.test(pathOrUrl)
    ? { kind: "postgres", url: pathOrUrl }
    : { kind: "sqlite", path: pathOrUrl };
}

/** For messages: the file, or the URL without its password. */
export function describeStoreLocation(location: StoreLocation): string {
  return location.kind === "sqlite" ? location.path : redactedStoreUrl(location.url);
}

/**
 * Opens the store at `location`: the one place that knows which implementations exist, so the gateway,
 * the dashboard (through the gateway), the status line and `switchyard report` all read either.
 */
export async function openTurnStore(
  location: StoreLocation,
  options: { retentionDays: number; onError?: (message: string) => void },
): Promise<TurnStore> {
  switch (location.kind) {
    case "sqlite":
      return new SqliteTurnStore({ path: location.path, ...options });
    case "postgres":
      return PostgresTurnStore.open({ url: location.url, ...options });
    default: {
      const unknownKind: never = location;
      throw new Error(`unknown store ${JSON.stringify(unknownKind)}`);
    }
  }
}
