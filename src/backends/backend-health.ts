import type { Backend } from "./backend.js";

/** What the monitor knows about one backend. Times are ISO strings; absent means not yet. */
export interface BackendStatus {
  name: string;
  /** True until a check fails: a backend never checked is assumed up. */
  up: boolean;
  /** When the backend entered its current state (up or down). */
  since: string;
  lastCheckedAt?: string;
  /** The last failed check's reason, kept while the backend is down. */
  lastError?: string;
  consecutiveFailures: number;
  nextCheckAt?: string;
}

export interface HealthMonitorOptions {
  /** Between checks of a local backend that is up. */
  intervalMs?: number;
  /** Between checks of a cloud backend that is up (each check is a models-list call that may count against its limits). */
  cloudIntervalMs?: number;
  /** The first retry after a failure; doubles with each further failure, up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest a single check may take. */
  timeoutMs?: number;
  now?: () => number;
}

type DelayOptions = Pick<Required<HealthMonitorOptions>, "intervalMs" | "initialBackoffMs" | "maxBackoffMs">;

/** Delay before the next check of a backend after `failures` consecutive failed checks (0: it is up). */
export function nextCheckDelay(failures: number, options: DelayOptions): number {
  if (failures === 0) return options.intervalMs;
  return Math.min(options.initialBackoffMs * 2 ** (failures - 1), options.maxBackoffMs);
}

/**
 * Checks each backend's health periodically: every `intervalMs` while it is up (`cloudIntervalMs` for a
 * cloud), with exponential backoff while it is down. Routing asks `isUp` (skipping a backend that is down when another can serve), and
 * `/health` and `/v1/switchyard/info` show `statuses()`. Listeners hear every change between up and down.
 */
export class BackendHealthMonitor {
  private readonly options: Required<Omit<HealthMonitorOptions, "now">>;
  private readonly now: () => number;
  private readonly states = new Map<string, BackendStatus>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<(status: BackendStatus) => void>();
  private readonly checking = new Map<string, Promise<BackendStatus>>();
  private running = false;

  constructor(
    private readonly backends: readonly Backend[],
    options: HealthMonitorOptions = {},
  ) {
    this.options = {
      intervalMs: options.intervalMs ?? 30_000,
      cloudIntervalMs: options.cloudIntervalMs ?? 300_000,
      initialBackoffMs: options.initialBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 5_000,
    };
    this.now = options.now ?? Date.now;
    const since = new Date(this.now()).toISOString();
    for (const backend of backends)
      this.states.set(backend.name, { name: backend.name, up: true, since, consecutiveFailures: 0 });
  }

  /** Checks every backend now, then keeps checking on schedule until `stop`. */
  start(): void {
    this.running = true;
    for (const backend of this.backends) void this.check(backend.name);
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  isUp(name: string): boolean {
    return this.states.get(name)?.up ?? true;
  }

  status(name: string): BackendStatus | undefined {
    const state = this.states.get(name);
    return state ? { ...state } : undefined;
  }

  statuses(): BackendStatus[] {
    return this.backends.map((backend) => this.status(backend.name) as BackendStatus);
  }

  /** Calls `listener` on every change between up and down; returns a function that unsubscribes. */
  onChange(listener: (status: BackendStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks one backend now (a check already running is shared) and reschedules its next check. */
  check(name: string): Promise<BackendStatus> {
    const running = this.checking.get(name);
    if (running) return running;
    const backend = this.backends.find((candidate) => candidate.name === name);
    if (!backend) return Promise.reject(new Error(`no backend named ${name}`));
    const check = backend
      .health(AbortSignal.timeout(this.options.timeoutMs))
      .catch((error: unknown) => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }))
      .then((health) => this.record(name, health.ok, health.detail))
      .finally(() => this.checking.delete(name));
    this.checking.set(name, check);
    return check;
  }

  private record(name: string, ok: boolean, detail: string): BackendStatus {
    const previous = this.states.get(name) as BackendStatus;
    const at = new Date(this.now()).toISOString();
    const failures = ok ? 0 : previous.consecutiveFailures + 1;
    const local = this.backends.find((backend) => backend.name === name)?.local !== false;
    const delay = nextCheckDelay(failures, {
      ...this.options,
      intervalMs: local ? this.options.intervalMs : this.options.cloudIntervalMs,
    });
    const next: BackendStatus = {
      name,
      up: ok,
      since: ok === previous.up ? previous.since : at,
      lastCheckedAt: at,
      consecutiveFailures: failures,
      nextCheckAt: this.running ? new Date(this.now() + delay).toISOString() : undefined,
    };
    if (!ok) next.lastError = detail;
    this.states.set(name, next);
    if (this.running) this.schedule(name, delay);
    if (ok !== previous.up) for (const listener of this.listeners) listener({ ...next });
    return { ...next };
  }

  private schedule(name: string, delay: number): void {
    clearTimeout(this.timers.get(name));
    const timer = setTimeout(() => void this.check(name), delay);
    // Health checks alone never keep the process alive.
    timer.unref();
    this.timers.set(name, timer);
  }
}
