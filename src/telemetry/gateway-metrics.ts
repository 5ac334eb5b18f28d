import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Backend, SlotView } from "../backends/backend.js";
import type { LaneKind } from "../sessions/lane.js";
import { turnCostView } from "./read-turn-extras.js";
import type { TurnRecord } from "./turn-record.js";

/** Seconds; local prefill of a long prompt on a CPU can take minutes, a warm turn well under a second. */
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** A scrape must not wait on a backend that hangs. */
const HEALTH_TIMEOUT_MS = 1500;
/** Scrapes closer together than this reuse the last check (cloud health checks are API calls). */
const HEALTH_REUSE_MS = 10_000;

const LANE_KINDS = ["main", "subagent", "side"] as const;

async function healthWithin(backend: Backend, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const check = backend.health(AbortSignal.timeout(timeoutMs)).then(
      (health) => health.ok,
      () => false,
    );
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Prometheus metrics for one gateway, in a registry of its own (several gateways in one process,
 * as in tests, never share counters). Turn counters move as records arrive; backend health and slot
 * occupancy are read when scraped.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly ttft: Histogram;
  private readonly duration: Histogram;
  private readonly reused: Counter;
  private readonly prefilled: Counter;
  private readonly output: Counter;
  private readonly misses: Counter;
  private readonly cost: Counter;
  /** Running totals per backend for the reuse ratio. */
  private readonly promptTotals = new Map<string, { reused: number; prefilled: number }>();
  private readonly healthChecks = new Map<Backend, { at: number; healthy: Promise<boolean> }>();

  /** `replica` labels every series, so one Prometheus scraping a team's replicas can tell them apart. */
  constructor(backends: readonly Backend[], options: { replica?: string } = {}) {
    if (options.replica) this.registry.setDefaultLabels({ replica: options.replica });
    const registers = [this.registry];
    const byBackendAndLane = ["backend", "lane_kind"];
    this.requests = new Counter({
      name: "switchyard_requests_total",
      help: "Requests through the gateway, by backend, lane kind, protocol, endpoint and HTTP status",
      labelNames: ["backend", "lane_kind", "protocol", "endpoint", "status"],
      registers,
    });
    this.ttft = new Histogram({
      name: "switchyard_time_to_first_token_seconds",
      help: "From request arrival to the first byte of the answer",
      labelNames: byBackendAndLane,
      buckets: TTFT_BUCKETS,
      registers,
    });
    this.duration = new Histogram({
      name: "switchyard_request_duration_seconds",
      help: "From request arrival to the end of the answer",
      labelNames: byBackendAndLane,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.reused = new Counter({
      name: "switchyard_prompt_tokens_reused_total",
      help: "Prompt tokens the backend took from its prefix cache",
      labelNames: byBackendAndLane,
      registers,
    });
    this.prefilled = new Counter({
      name: "switchyard_prompt_tokens_prefilled_total",
      help: "Prompt tokens the backend computed (prefilled)",
      labelNames: byBackendAndLane,
      registers,
    });
    this.output = new Counter({
      name: "switchyard_output_tokens_total",
      help: "Tokens generated",
      labelNames: byBackendAndLane,
      registers,
    });
    const promptTotals = this.promptTotals;
    const checkHealth = (backend: Backend) => {
      const last = this.healthChecks.get(backend);
      if (last && Date.now() - last.at < HEALTH_REUSE_MS) return last.healthy;
      const check = { at: Date.now(), healthy: healthWithin(backend, HEALTH_TIMEOUT_MS) };
      this.healthChecks.set(backend, check);
      return check.healthy;
    };
    new Gauge({
      name: "switchyard_prompt_reuse_ratio",
      help: "Share of prompt tokens reused from the cache since start (reused / (reused + prefilled)); for a window, use rate() of the two token counters",
      labelNames: ["backend"],
      registers,
      collect() {
        this.reset();
        for (const [backend, totals] of promptTotals) {
          const all = totals.reused + totals.prefilled;
          if (all > 0) this.set({ backend }, totals.reused / all);
        }
      },
    });
    this.misses = new Counter({
      name: "switchyard_cache_misses_total",
      help: "Turns that reused fewer prompt tokens than the previous turn of their lane left in the cache, by reason",
      labelNames: ["backend", "lane_kind", "reason"],
      registers,
    });
    this.cost = new Counter({
      name: "switchyard_cost_usd_total",
      help: "What the turns cost, in US dollars (0 for local turns)",
      labelNames: ["backend"],
      registers,
    });
    new Gauge({
      name: "switchyard_backend_up",
      help: "1 when the backend answered its health check at scrape time, else 0",
      labelNames: ["backend", "kind"],
      registers,
      async collect() {
        const healthy = await Promise.all(backends.map((backend) => checkHealth(backend)));
        for (const [index, backend] of backends.entries())
          this.set({ backend: backend.name, kind: backend.kind }, healthy[index] ? 1 : 0);
      },
    });
    const slotGauge = (
      name: string,
      help: string,
      labelNames: string[],
      set: (gauge: Gauge, backend: string, occupancy: SlotOccupancy) => void,
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          for (const backend of backends) {
            const slots = backend.slotSnapshot?.();
            if (slots) set(this, backend.name, occupancyOf(slots));
          }
        },
      });
    slotGauge(
      "switchyard_backend_slots",
      "Slots (parallel sequences) of each llama-server backend",
      ["backend"],
      (gauge, backend, occupancy) => gauge.set({ backend }, occupancy.total),
    );
    slotGauge(
      "switchyard_backend_slots_held",
      "Slots held by a lane (its prefix stays warm there), by lane kind",
      ["backend", "lane_kind"],
      (gauge, backend, occupancy) => {
        for (const kind of LANE_KINDS) gauge.set({ backend, lane_kind: kind }, occupancy.held[kind]);
      },
    );
    slotGauge(
      "switchyard_backend_slots_busy",
      "Slots running a request now",
      ["backend"],
      (gauge, backend, occupancy) => gauge.set({ backend }, occupancy.busy),
    );
    slotGauge(
      "switchyard_backend_slots_in_ram_cache",
      "Slots whose idle lane's prompt was moved to the server's RAM cache (engine.idleSlotSeconds)",
      ["backend"],
      (gauge, backend, occupancy) => gauge.set({ backend }, occupancy.inRamCache),
    );
  }

  /** Counts one finished turn (a TurnRecorder listener). */
  observe(turn: TurnRecord): void {
    const backend = turn.backend;
    const laneKind = turn.laneKind ?? "none";
    this.requests.labels(backend, laneKind, turn.protocol, turn.endpoint, String(turn.status)).inc();
    this.duration.labels(backend, laneKind).observe(turn.durationMs / 1000);
    if (turn.ttftMs !== undefined) this.ttft.labels(backend, laneKind).observe(turn.ttftMs / 1000);
    if (turn.reusedTokens !== undefined) this.reused.labels(backend, laneKind).inc(turn.reusedTokens);
    if (turn.prefilledTokens !== undefined) this.prefilled.labels(backend, laneKind).inc(turn.prefilledTokens);
    if (turn.outputTokens !== undefined) this.output.labels(backend, laneKind).inc(turn.outputTokens);
    if (turn.miss) this.misses.labels(backend, laneKind, turn.miss.reason).inc();
    // Incremented by 0 too, so every backend that served a turn has a cost series.
    this.cost.labels(backend).inc(turnCostView(turn)?.usd ?? 0);
    if (turn.reusedTokens !== undefined || turn.prefilledTokens !== undefined) {
      let totals = this.promptTotals.get(backend);
      if (!totals) {
        totals = { reused: 0, prefilled: 0 };
        this.promptTotals.set(backend, totals);
      }
      totals.reused += turn.reusedTokens ?? 0;
      totals.prefilled += turn.prefilledTokens ?? 0;
    }
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

interface SlotOccupancy {
  total: number;
  held: Record<LaneKind, number>;
  busy: number;
  inRamCache: number;
}

/**
 * How many slots there are, how many lanes of each kind hold one, how many run a request now, and how many
 * idle lanes' prompts wait in the RAM cache.
 */
function occupancyOf(slots: readonly SlotView[]): SlotOccupancy {
  const held: Record<LaneKind, number> = { main: 0, subagent: 0, side: 0 };
  let busy = 0;
  let inRamCache = 0;
  for (const slot of slots) {
    if (slot.lane) held[slot.lane.kind] += 1;
    if (slot.busy) busy++;
    if (slot.inRamCache) inRamCache++;
  }
  return { total: slots.length, held, busy, inRamCache };
}
