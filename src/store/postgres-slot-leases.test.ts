import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres-server.js";
import type { Lane } from "../sessions/lane.js";
import { migratePostgres } from "./postgres-migrations.js";
import { PostgresSlotLeases } from "./postgres-slot-leases.js";

const lane = (sessionId: string, name: Lane["name"] = "main"): Lane => ({
  sessionId,
  name,
  kind: name === "main" ? "main" : name === "side" ? "side" : "subagent",
});

describe("slot pins shared by replicas, as leases in PostgreSQL", () => {
  let server: PostgresServer;
  const pools: pg.Pool[] = [];
  const pool = (url: string) => {
    const made = new pg.Pool({ connectionString: url });
    // A connection still closing when the server stops reports "terminating connection": not this test's concern.
    made.on("error", () => {});
    pools.push(made);
    return made;
  };
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await server?.stop();
  });
  /** Two replicas' views of one llama-server with `slots` slots, each on its own pool. */
  async function replicas(slots: number, leaseMs = 15_000) {
    const url = await server.createDatabase("slots");
    const [a, b] = [pool(url), pool(url)];
    await migratePostgres(a);
    return [
      new PostgresSlotLeases(a, "http://127.0.0.1:1", slots, { replica: "a", leaseMs }),
      new PostgresSlotLeases(b, "http://127.0.0.1:1", slots, { replica: "b", leaseMs }),
    ] as const;
  }

  it("keeps every lane in one slot and every slot to one request, whichever replica asks", async () => {
    const [a, b] = await replicas(4);
    const lanes = [lane("s1"), lane("s2"), lane("s3"), lane("s1", "subagent:x")];
    const slotOf = new Map<string, Set<number>>();
    const inUse = new Set<number>();
    let overlaps = 0;
    // 4 lanes × 6 turns, the turns of different lanes at once, each turn through either replica.
    await Promise.all(
      lanes.map(async (each, index) => {
        for (let turn = 0; turn < 6; turn++) {
          const book = (index + turn) % 2 === 0 ? a : b;
          const lease = await book.acquire(each);
          if (inUse.has(lease.slot)) overlaps++;
          inUse.add(lease.slot);
          const key = `${each.sessionId}/${each.name}`;
          slotOf.set(key, (slotOf.get(key) ?? new Set()).add(lease.slot));
          await new Promise((resolve) => setTimeout(resolve, 5));
          inUse.delete(lease.slot);
          lease.release();
        }
      }),
    );
    expect(overlaps).toBe(0);
    for (const slots of slotOf.values()) expect(slots.size).toBe(1);
    expect(new Set([...slotOf.values()].map((slots) => [...slots][0])).size).toBe(4);
  });

  it("makes a lane wait for its busy slot instead of taking a second one", async () => {
    const [a, b] = await replicas(2);
    const first = await a.acquire(lane("s1"));
    let second: Awaited<ReturnType<typeof b.acquire>> | undefined;
    const waiting = b.acquire(lane("s1")).then((lease) => {
      second = lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(second).toBeUndefined();
    first.release();
    await waiting;
    expect(second?.slot).toBe(first.slot);
    expect(second?.reassigned).toBe(false);
    second?.release();
  });

  it("frees a slot held by a replica that died once its lease runs out, and the lane keeps its slot", async () => {
    const url = await server.createDatabase("dead");
    const dead = pool(url);
    await migratePostgres(dead);
    // What a replica killed mid-request leaves: the lane's pin, and a lease nobody renews any more.
    await dead.query(
      `INSERT INTO slot_leases (backend, slot, lane_session, lane_name, lane_kind, busy_token, busy_until, last_used)
       VALUES ('http://127.0.0.1:1', 0, 's1', 'main', 'main', 'dead/1', now() + interval '1 second', now())`,
    );
    const survivor = new PostgresSlotLeases(dead, "http://127.0.0.1:1", 1, { replica: "b" });
    const next = await survivor.acquire(lane("s1"), AbortSignal.timeout(30_000));
    expect(next.slot).toBe(0);
    expect(next.reassigned).toBe(false);
    next.release();
  }, 60_000);

  it("gives up waiting when the request is aborted", async () => {
    const [a, b] = await replicas(1);
    const held = await a.acquire(lane("s1"));
    const controller = new AbortController();
    const waiting = b.acquire(lane("s2"), controller.signal);
    controller.abort(new Error("client left"));
    await expect(waiting).rejects.toThrow("client left");
    held.release();
  });
});
