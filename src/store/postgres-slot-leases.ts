import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { SlotView } from "../backends/backend.js";
import { EVICTION_ORDER, type SlotBook, type SlotLease } from "../backends/llama-server/slot-scheduler.js";
import type { Lane, LaneKind, LaneName } from "../sessions/lane.js";

export interface SlotLeaseOptions {
  /** Who holds a lease (metrics and the table say which replica). */
  replica: string;
  /** A held slot whose holder stops renewing is free again after this long (a replica that died). */
  leaseMs?: number;
  /** How often a waiting acquire looks again. */
  pollMs?: number;
  onError?: (message: string) => void;
}

interface Row {
  slot: number;
  lane_session: string | null;
  lane_name: string | null;
  lane_kind: string | null;
  busy: boolean;
  last_used: Date;
}

/**
 * The slots of one llama-server shared by the Switchyard replicas in front of it, as rows of
 * `slot_leases` (one per slot). The same rule as SlotScheduler, decided under a row lock of the server's
 * slots, so two replicas never decide at once:
 *
 * - a lane keeps its slot (the pin), and a unique index makes a lane's second slot impossible;
 * - a slot serves one request at a time: `busy_token` is the lease of the request using it, with an
 *   expiry the holder renews while the request runs, so a replica killed mid-request frees the slot
 *   after `leaseMs` and the lane goes on in the same slot from another replica;
 * - a lane without a slot takes an empty one, else the least recently used idle slot of the least
 *   important kind (side, subagent, main).
 *
 * A request that finds its slot (or every slot) busy looks again every `pollMs` until it gets one or
 * its signal aborts.
 */
export class PostgresSlotLeases implements SlotBook {
  private view: SlotView[];
  private readonly ready: Promise<void>;
  private readonly leaseMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly backend: string,
    readonly size: number,
    private readonly options: SlotLeaseOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 15_000;
    this.pollMs = options.pollMs ?? 25;
    this.view = Array.from({ length: size }, (_, slot) => ({ slot, lane: undefined, busy: false }));
    this.ready = pool
      .query(`INSERT INTO slot_leases (backend, slot) SELECT $1, generate_series(0, $2 - 1) ON CONFLICT DO NOTHING`, [
        backend,
        size,
      ])
      .then(() => undefined);
  }

  /** As last seen by this replica (the dashboard's view; the table is the truth). */
  snapshot(): SlotView[] {
    return this.view.map((slot) => ({ ...slot }));
  }

  async acquire(lane: Lane, signal?: AbortSignal): Promise<SlotLease> {
    await this.ready;
    for (;;) {
      signal?.throwIfAborted();
      const lease = await this.tryAcquire(lane);
      if (lease) return lease;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, this.pollMs);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  private async tryAcquire(lane: Lane): Promise<SlotLease | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<Row>(
        `SELECT slot, lane_session, lane_name, lane_kind, busy_token IS NOT NULL AND busy_until > now() AS busy, last_used
         FROM slot_leases WHERE backend = $1 AND slot < $2 ORDER BY slot FOR UPDATE`,
        [this.backend, this.size],
      );
      this.view = rows.map((row) => ({ slot: row.slot, lane: laneOf(row), busy: row.busy }));
      const own = rows.find((row) => row.lane_session === lane.sessionId && row.lane_name === lane.name);
      let chosen: Row | undefined;
      let reassigned = false;
      if (own) {
        if (!own.busy) chosen = own;
      } else {
        const rank = (row: Row) => EVICTION_ORDER[(row.lane_kind as LaneKind | null) ?? "empty"];
        chosen = rows
          .filter((row) => !row.busy)
          .sort((a, b) => rank(a) - rank(b) || a.last_used.getTime() - b.last_used.getTime())[0];
        reassigned = chosen !== undefined;
      }
      if (!chosen) {
        await client.query("COMMIT");
        return undefined;
      }
      const token = `${this.options.replica}/${randomUUID()}`;
      await client.query(
        `UPDATE slot_leases SET lane_session = $3, lane_name = $4, lane_kind = $5, busy_token = $6,
           busy_until = now() + make_interval(secs => $7), last_used = now()
         WHERE backend = $1 AND slot = $2`,
        [this.backend, chosen.slot, lane.sessionId, lane.name, lane.kind, token, this.leaseMs / 1000],
      );
      await client.query("COMMIT");
      const displacedLane = reassigned ? laneOf(chosen) : undefined;
      this.view[chosen.slot] = { slot: chosen.slot, lane: { ...lane }, busy: true };
      return this.lease(chosen.slot, token, reassigned, displacedLane);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private lease(slot: number, token: string, reassigned: boolean, displacedLane: Lane | undefined): SlotLease {
    const report = (what: string) => (error: Error) =>
      (this.options.onError ?? ((message) => process.stderr.write(`switchyard slots: ${message}\n`)))(
        `cannot ${what} slot ${slot} of ${this.backend}: ${error.message}`,
      );
    // Renewed while the request runs: only a holder that stopped (died) lets its lease run out.
    const renewal = setInterval(
      () =>
        void this.pool
          .query(
            "UPDATE slot_leases SET busy_until = now() + make_interval(secs => $4) WHERE backend = $1 AND slot = $2 AND busy_token = $3",
            [this.backend, slot, token, this.leaseMs / 1000],
          )
          .catch(report("renew")),
      Math.max(this.leaseMs / 3, 10),
    );
    renewal.unref();
    let released = false;
    return {
      slot,
      reassigned,
      displacedLane,
      release: () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        const current = this.view[slot];
        if (current) current.busy = false;
        void this.pool
          .query(
            "UPDATE slot_leases SET busy_token = NULL, busy_until = NULL, last_used = now() WHERE backend = $1 AND slot = $2 AND busy_token = $3",
            [this.backend, slot, token],
          )
          .catch(report("release"));
      },
    };
  }
}

function laneOf(row: Pick<Row, "lane_session" | "lane_name" | "lane_kind">): Lane | undefined {
  if (row.lane_session === null || row.lane_name === null) return undefined;
  return { sessionId: row.lane_session, name: row.lane_name as LaneName, kind: (row.lane_kind ?? "main") as LaneKind };
}
