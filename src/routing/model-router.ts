import type { Backend } from "../backends/backend.js";
import { SwitchyardError } from "../core/errors.js";
import { SessionTable } from "../sessions/session-table.js";
import { type BackendHealthView, routeAroundDown } from "./route-around-down.js";

export interface Route {
  backend: Backend;
  /** The model name the backend knows. */
  model: string;
  /** Why this route: `alias`, `served-model`, `default`. */
  reason: string;
}

/** Claude model names as clients send them: opus, sonnet, haiku, dated or not, with or without `claude-`. */
export const isClaudeModelName = (name: string) => /^(claude-)?(opus|sonnet|haiku)\b|^claude-/i.test(name);

/** How long a name no backend served is routed to the default before the lists are read again for it. */
const LOOK_AGAIN_MS = 30_000;
/** Unknown names remembered at most (a client inventing names only clears the memory). */
const UNKNOWN_NAMES = 256;

/**
 * Maps a client's model name to a backend and model. Configured aliases first (`name` → `backend` or
 * `backend/model`), then a model a backend serves (`refreshFor` reads the lists again for a name none
 * served), then the default: the first backend (local first). Every name is accepted; a name that maps
 * to no backend goes to the default.
 */
export class ModelRouter {
  private served = new Map<string, { backend: Backend; model: string }>();
  private health: BackendHealthView | undefined;
  /** Names no backend served when the lists were last read for them, and when that was. */
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly backends: readonly Backend[],
    private readonly aliases: Readonly<Record<string, string>> = {},
    /** The gateway's one session table: placements here; routing, miss analysis and slot facts read it too. */
    readonly sessions: SessionTable = new SessionTable(),
  ) {}

  /**
   * Learns which models each backend serves (called at start and when backends change). A model two
   * backends serve goes to the one configured first; routing keeps the old lists until the new are in.
   */
  async refresh(signal?: AbortSignal, which: (backend: Backend) => boolean = () => true): Promise<void> {
    const kept = (backend: Backend) =>
      [...this.served.values()].flatMap((entry) => (entry.backend === backend ? [entry.model] : []));
    const lists = await Promise.all(
      this.backends.map((backend) =>
        which(backend) ? backend.listModels(signal).catch(() => []) : Promise.resolve(kept(backend)),
      ),
    );
    const served = new Map<string, { backend: Backend; model: string }>();
    for (const [index, models] of lists.entries()) {
      const backend = this.backends[index] as Backend;
      for (const model of models) if (!served.has(model)) served.set(model, { backend, model });
    }
    this.served = served;
  }

  /**
   * A name no backend serves may be a model pulled or loaded since the lists were read (`ollama pull`, a
   * server restarted with another model): reads the local servers' lists again before routing it, at most once per name in
   * LOOK_AGAIN_MS (a client that always sends a name of its own pays it that often), and not for an alias
   * or a Claude name, which go where they go anyway. Undefined when there is nothing to wait for.
   */
  refreshFor(requested: string, signal?: AbortSignal): Promise<void> | undefined {
    if (this.served.has(requested) || isClaudeModelName(requested) || this.aliasFor(requested)) return undefined;
    const now = Date.now();
    if (now - (this.unknown.get(requested) ?? Number.NEGATIVE_INFINITY) < LOOK_AGAIN_MS) return undefined;
    if (this.unknown.size >= UNKNOWN_NAMES) this.unknown.clear();
    this.unknown.set(requested, now);
    // Only the servers on this machine: a model pulled since is pulled there, and however many names a
    // client invents, no cloud's model list (which may count against its limits) is asked for them.
    return this.refresh(
      AbortSignal.any([AbortSignal.timeout(5_000), ...(signal ? [signal] : [])]),
      (backend) => backend.local,
    );
  }

  private aliasFor(requested: string): string | undefined {
    return Object.hasOwn(this.aliases, requested)
      ? this.aliases[requested]
      : Object.entries(this.aliases).find(([pattern]) => matchesPattern(pattern, requested))?.[1];
  }

  private backendNamed(name: string): Backend | undefined {
    return this.backends.find((backend) => backend.name === name);
  }

  /** The backend's default model: the first it lists (one for llama-server, the router's first in its router mode). */
  private defaultModel(backend: Backend): string {
    for (const [model, entry] of this.served) if (entry.backend === backend) return model;
    return "default";
  }

  /** A route to `backend` or `backend/model`, named the way aliases name them; undefined for an unknown backend. */
  routeTo(target: string, reason: string): Route | undefined {
    const [backendName, ...rest] = target.split("/");
    const backend = this.backendNamed(backendName ?? "");
    if (!backend) return undefined;
    return { backend, model: rest.length > 0 ? rest.join("/") : this.defaultModel(backend), reason };
  }

  /** The configured backends, in configuration order. */
  backendList(): readonly Backend[] {
    return this.backends;
  }

  /** Lets routing skip backends that are down (src/backends/backend-health.ts). */
  useHealth(health: BackendHealthView): void {
    this.health = health;
  }

  resolve(requested: string, sessionId?: string): Route {
    const route = this.resolveIgnoringHealth(requested, sessionId);
    return routeAroundDown(route, this.backends, this.health, (backend) => this.defaultModel(backend));
  }

  private resolveIgnoringHealth(requested: string, sessionId?: string): Route {
    const alias = this.aliasFor(requested);
    if (alias) {
      const route = this.routeTo(alias, "alias");
      if (!route) {
        throw new SwitchyardError(`model alias ${requested} → ${alias} names no configured backend`, {
          kind: "internal",
          code: "bad_alias",
        });
      }
      return route;
    }
    const served = this.served.get(requested);
    if (served) return { ...served, reason: "served-model" };
    const placed = sessionId ? this.place(sessionId) : undefined;
    if (placed) return { backend: placed, model: this.defaultModel(placed), reason: "session-placement" };
    const backend = this.backends.find((candidate) => candidate.local) ?? this.backends[0];
    if (!backend) throw new SwitchyardError("no backend is configured", { kind: "overloaded", code: "no_backend" });
    return {
      backend,
      model: this.defaultModel(backend),
      reason: isClaudeModelName(requested) ? "claude-name" : "default",
    };
  }

  /**
   * With several local backends, a new session goes where a slot is still free (most free slots first,
   * configuration order on a tie), and every later request of the session goes to the same backend.
   */
  private place(sessionId: string): Backend | undefined {
    const locals = this.backends.filter((backend) => backend.local);
    if (locals.length < 2) return undefined;
    const session = this.sessions.session(sessionId);
    const existing = session.placement === undefined ? undefined : this.backendNamed(session.placement);
    if (existing) return existing;
    let chosen = locals[0] as Backend;
    for (const backend of locals) if ((backend.freeSlots?.() ?? 0) > (chosen.freeSlots?.() ?? 0)) chosen = backend;
    session.placement = chosen.name;
    return chosen;
  }

  /**
   * Where a Claude model name goes when no alias says: the backend and model, and how many models that
   * backend serves (the choice is worth saying when it had several to choose from).
   */
  claudeRoute(): { route: Route; choices: number } | undefined {
    const route = this.resolveIgnoringHealth("claude-sonnet");
    if (route.reason !== "claude-name") return undefined;
    const choices = [...this.served.values()].filter((entry) => entry.backend === route.backend).length;
    return { route, choices };
  }

  /** Every name clients can use: served models and aliases. */
  modelNames(): string[] {
    return [...new Set([...this.served.keys(), ...Object.keys(this.aliases).filter((name) => !name.includes("*"))])];
  }
}

/** Alias patterns may end in `*`: `claude-haiku*` matches every dated haiku. */
function matchesPattern(pattern: string, name: string): boolean {
  return pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));
}
