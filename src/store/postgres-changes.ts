import pg from "pg";

/** The channel replicas announce changes of shared routing state on (`pg_notify` in the write's statement). */
export const CHANGES_CHANNEL = "switchyard_shared";

/** Hears what other replicas changed. */
export interface ChangeListener {
  /** A notification's payload (`<kind>:<writer>:<key>`). */
  changed(payload: string): void;
  /** Notifications may have been missed (the connection dropped): drop everything cached. */
  reset(): void;
}

/** How long to wait before listening again after the connection dropped. */
const RECONNECT_MS = 1_000;

/**
 * One connection per replica that LISTENs for the other replicas' changes to shared routing state
 * (sessions' modes and placement, backend cooldowns), so their short local caches are dropped the moment
 * another replica writes, instead of when they expire. NOTIFY is delivered when the writer's transaction
 * commits. While the connection is down, `listening` is false and the caches fall back to their time
 * bound; on reconnection every cache is dropped, since notifications sent meanwhile are lost.
 */
export class PostgresChanges {
  private client: pg.Client | undefined;
  private connected = false;
  private readonly listeners = new Set<ChangeListener>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly onError: (message: string) => void,
  ) {}

  get listening(): boolean {
    return this.connected;
  }

  subscribe(listener: ChangeListener): void {
    this.listeners.add(listener);
    if (!this.client && !this.retry && !this.closed) void this.connect();
  }

  /** Resolves once listening (or once the attempt failed): tests and a start that wants it ready. */
  async ready(): Promise<void> {
    for (let tries = 0; !this.connected && !this.closed && tries < 200; tries++)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 10_000,
      query_timeout: 30_000,
      keepAlive: true,
      application_name: "switchyard-changes",
    });
    this.client = client;
    client.on("notification", (message) => {
      for (const listener of this.listeners) listener.changed(message.payload ?? "");
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (this.client !== client) return;
      this.connected = true;
      this.resetAll();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.connected = false;
    client.end().catch(() => {});
    this.resetAll();
    if (this.closed) return;
    this.onError(`stopped hearing other replicas' changes${error ? `: ${error.message}` : ""}; listening again`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.client && !this.closed && this.listeners.size > 0) void this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }

  private resetAll(): void {
    for (const listener of this.listeners) listener.reset();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => {});
  }
}
