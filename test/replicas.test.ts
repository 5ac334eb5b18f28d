import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import pg from "pg";
import { Agent, setGlobalDispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { formatReplay } from "../src/bench/format-replay.js";
import { fixtureRequests, fixtureSessions } from "../src/bench/recorded-sessions.js";
import { replaySessions } from "../src/bench/replay-sessions.js";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { correctedTemplateArgs } from "../src/engine/engine-template.js";
import type { Report } from "../src/telemetry/session-report.js";
import { freePort } from "../src/util/free-port.js";
import { runCli } from "./cli.js";
import { type PostgresServer, startPostgres } from "./support/postgres-server.js";
import { processAlive } from "./support/process-alive.js";
import { type RoundRobinBalancer, startRoundRobinBalancer } from "./support/round-robin-balancer.js";
import { SWITCHYARD_CLI } from "./support/switchyard-cli.js";

interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
  output: string;
}

/**
 * The acceptance of a team's gateway: two Switchyard replicas (processes of their own) behind a TCP
 * round-robin balancer, one PostgreSQL store, one real llama-server with 4 slots. Three recorded
 * sessions replay at once, every request on a new connection, so consecutive turns of a lane alternate
 * between the replicas. Mid-replay one replica is SIGKILLed by PID the moment the last byte of one of its
 * answers has passed the balancer.
 */
describe("two replicas sharing one store and one 4-slot llama-server", () => {
  let postgres: PostgresServer;
  let engine: EngineSupervisor;
  let balancer: RoundRobinBalancer;
  let storeUrl: string;
  const replicas: Replica[] = [];
  /**
   * Armed halfway through the replay: the next streamed answer of replica b whose last byte passes the
   * balancer (its message_stop, then the end of the chunked body) gets b SIGKILLed, right then. The
   * answer's final usage is kept, to find its turn in the store.
   */
  const kill = {
    armed: false,
    /** What replica b had sent on each connection since the kill was armed. */
    responses: new Map<number, string>(),
    killedAfter: undefined as { prefilled: number; reused: number } | undefined,
  };
  function killOnResponseEnd(upstream: number, chunk: Buffer, connection: number): void {
    const victim = replicas[1];
    if (upstream !== 1 || !kill.armed || kill.killedAfter || victim?.child.pid === undefined) return;
    const text = (kill.responses.get(connection) ?? "") + chunk.toString("latin1");
    kill.responses.set(connection, text);
    if (!text.includes("event: message_stop") || !text.endsWith("\r\n0\r\n\r\n")) return;
    process.kill(victim.child.pid, "SIGKILL");
    // The final usage, as the client reads it: the message_delta's (message_start's is before the prefill).
    const delta = /event: message_delta\r?\ndata: (.*)/.exec(text)?.[1];
    const usage = delta ? (JSON.parse(delta) as { usage: Record<string, number> }).usage : {};
    kill.killedAfter = { prefilled: usage.input_tokens ?? -1, reused: usage.cache_read_input_tokens ?? 0 };
  }

  async function startReplica(name: string, config: Record<string, unknown>): Promise<Replica> {
    const scratch = mkdtempSync(join(tmpdir(), `switchyard-${name}-`));
    const file = join(scratch, "config.json");
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    const port = await freePort();
    const child = spawn(process.execPath, [...SWITCHYARD_CLI, "serve", "--config", file, "--port", String(port)], {
      env: { ...process.env, XDG_STATE_HOME: scratch },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const replica: Replica = { name, port, child, output: "" };
    const append = (chunk: Buffer) => {
      replica.output = (replica.output + chunk.toString()).slice(-400_000);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    for (let waited = 0; !replica.output.includes("listening on"); waited++) {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited:\n${replica.output}`);
      if (waited > 6000) throw new Error(`replica ${name} did not start:\n${replica.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    replicas.push(replica);
    return replica;
  }

  beforeAll(async () => {
    // A connection per request: the balancer's round robin is then per request, as an HTTP balancer's is.
    setGlobalDispatcher(new Agent({ pipelining: 0 }));
    postgres = await startPostgres();
    storeUrl = await postgres.createDatabase("team");
    const model = inject("testModel");
    const engineConfig = configSchema.parse({ engine: { slots: 4, contextSize: 65536, cacheRamMiB: 2048 } }).engine;
    const template = await correctedTemplateArgs(model);
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model,
      args: [...agentEngineArgs(engineConfig), "--alias", basename(model, ".gguf"), ...template.args],
      maxRestarts: 0,
    });
    const config = (name: string) => ({
      store: { url: storeUrl },
      telemetry: { turnsFile: null },
      replica: { name, slotLeaseSeconds: 3 },
      backends: [{ name: "local", type: "llama-server", url: engine.url }],
    });
    const [a, b] = [await startReplica("a", config("a")), await startReplica("b", config("b"))];
    balancer = await startRoundRobinBalancer(
      [
        { host: "127.0.0.1", port: a.port },
        { host: "127.0.0.1", port: b.port },
      ],
      { onResponseChunk: killOnResponseEnd },
    );
  }, 600_000);

  afterAll(async () => {
    await balancer?.close();
    for (const replica of replicas) {
      const pid = replica.child.pid;
      if (pid !== undefined && replica.child.exitCode === null && processAlive(pid)) {
        process.kill(pid, "SIGTERM");
        await new Promise((resolve) => replica.child.once("exit", resolve));
      }
    }
    await engine?.stop();
    await postgres?.stop();
    setGlobalDispatcher(new Agent());
  });

  it("keeps each lane in one slot, prefills ≤ 1.10 × the minimum, survives a SIGKILL, and report counts every turn once", async () => {
    const sessions = fixtureSessions().map((session) => fixtureRequests(session));
    const total = sessions.reduce(
      (sum, requests) => sum + requests.filter((request) => request.method === "POST").length,
      0,
    );
    const target: BenchTarget = {
      name: "switchyard",
      kind: "switchyard",
      baseUrl: balancer.url,
      wire: "anthropic",
      model: "m",
      local: true,
      headers: {},
    };
    let finished = 0;
    const victim = replicas[1] as Replica;
    const report = await replaySessions(target, sessions, {
      concurrency: 3,
      rendererUrl: engine.url,
      maxTokens: 16,
      onTurn: () => {
        // Mid-replay, replica b dies by SIGKILL the moment its next answer is complete (above), with
        // whatever else it was serving.
        if (++finished >= Math.floor(total / 2)) kill.armed = true;
      },
    });
    console.log(formatReplay(report));
    const killedAfter = kill.killedAfter;
    expect(killedAfter, "replica b completed no answer after the kill was armed").toBeDefined();
    await new Promise((resolve) =>
      victim.child.exitCode !== null || victim.child.signalCode !== null
        ? resolve(undefined)
        : victim.child.once("exit", resolve),
    );
    expect(victim.child.signalCode).toBe("SIGKILL");
    // Both replicas served turns before the kill; the sessions went on after it.
    expect(balancer.connections.every((count) => count > 0)).toBe(true);
    const served = report.turns.filter((turn) => turn.status === 200 && !turn.error);
    const failed = report.turns.length - served.length;
    // At most the turns in flight on the replica when it died (one per session).
    expect(failed).toBeLessThanOrEqual(sessions.length);
    const afterKill = report.turns.slice(-5);
    expect(afterKill.some((turn) => turn.status === 200)).toBe(true);
    expect(report.totals.efficiency).toBeDefined();
    // A turn after one that died with replica b is judged against its lane's last served turn: the server
    // may hold nothing of a prompt killed mid-prefill (replay-minimum.ts).
    expect(report.totals.efficiency as number).toBeLessThanOrEqual(1.1);

    // The surviving replica stops as an operator stops it (SIGTERM by PID): it commits what it has queued.
    const survivor = replicas[0] as Replica;
    if (survivor.child.pid !== undefined) process.kill(survivor.child.pid, "SIGTERM");
    await new Promise((resolve) =>
      survivor.child.exitCode !== null ? resolve(undefined) : survivor.child.once("exit", resolve),
    );
    // Every turn of a lane in one slot, across both replicas (the turn records in the shared store).
    const client = new pg.Client({ connectionString: storeUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ lane: string; slots: number; turns: number }>(
        `SELECT session_id || '/' || lane AS lane, count(DISTINCT (record::jsonb #>> '{slot}')) AS slots, count(*)::int AS turns
         FROM turns WHERE endpoint = 'messages' AND status = 200 AND record::jsonb ? 'slot' GROUP BY 1`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Number(row.slots), row.lane).toBe(1);
      // Every turn the client saw complete is in the store, the one whose last byte preceded the kill
      // included: a completed turn is committed before its answer ends (docs/design/store.md). Turns
      // are told apart by what the client read of them (tokens prefilled and reused); the store may
      // hold more (a turn committed by the killed replica whose end it never wrote).
      const { rows: stored } = await client.query<{ prefilled: number; reused: number }>(
        `SELECT prefilled_tokens::int AS prefilled, coalesce(reused_tokens, 0)::int AS reused FROM turns
         WHERE endpoint = 'messages' AND status = 200`,
      );
      const unmatched = new Map<string, number>();
      for (const row of stored)
        unmatched.set(`${row.prefilled}/${row.reused}`, (unmatched.get(`${row.prefilled}/${row.reused}`) ?? 0) + 1);
      const missing: string[] = [];
      for (const turn of served) {
        const key = `${turn.prefilled}/${turn.reused ?? 0}`;
        const left = unmatched.get(key) ?? 0;
        if (left === 0) missing.push(`${turn.request} (${key})`);
        else unmatched.set(key, left - 1);
      }
      expect(missing, "turns the client saw complete that are not in the store").toEqual([]);
      const sameTurn = (turn: { prefilled?: number; reused?: number | undefined }) =>
        turn.prefilled === killedAfter?.prefilled && (turn.reused ?? 0) === killedAfter?.reused;
      expect(served.some(sameTurn), "the client read the answer that preceded the SIGKILL in full").toBe(true);
      expect(
        stored.some((row) => row.prefilled === killedAfter?.prefilled && row.reused === killedAfter?.reused),
        "the turn whose last byte came right before the SIGKILL",
      ).toBe(true);
      const all = await client.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM turns WHERE endpoint != 'count_tokens'",
      );
      // `switchyard report` over the shared store: every turn of both replicas, once.
      const result = await runCli(["report", "--json", "--store", storeUrl]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as Report;
      expect(summary.total.localTurns + summary.total.cloudTurns).toBe(all.rows[0]?.count);
    } finally {
      await client.end();
    }
  }, 1_800_000);
});
