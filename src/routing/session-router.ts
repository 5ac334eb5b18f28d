import type { Backend } from "../backends/backend.js";
import type { CanonicalRequest } from "../core/canonical.js";
import type { CollectedMessage } from "../core/collect-message.js";
import type { CostMeter, TurnCost, TurnForCost } from "../cost/turn-cost.js";
import type { Lane } from "../sessions/lane.js";
import type { SessionMode } from "../sessions/session-entry.js";
import type { SessionIdentity } from "../sessions/session-identity.js";
import type { SessionTable } from "../sessions/session-table.js";
import { BackendCooldowns, type SharedCooldowns } from "./backend-cooldown.js";
import { checkFit, tokenEstimate, tokenUpperBound } from "./fit-check.js";
import { detectLocalFailure } from "./local-failure.js";
import type { ModelRouter, Route } from "./model-router.js";
import type { RoutingConfig } from "./routing-config.js";
import type { RoutingRecord, SwitchCost } from "./routing-record.js";
import { type ModeDecision, SessionPolicy } from "./session-policy.js";
import { readSignals } from "./session-signals.js";
import type { SharedSessionState } from "./shared-session-state.js";
import { type HistoryTarget, historyTargetFor } from "./transform-history.js";
import { loadUserRule, runUserRule, type UserRule } from "./user-rule.js";

/** The backends to try, in order (first is the choice, the rest the fallback chain), and why. */
export interface RoutePlan {
  chain: [Route, ...Route[]];
  record: RoutingRecord;
}

/**
 * What routing reads of a finished turn's record (telemetry's TurnRecord has these fields), and the cost
 * it adds to it.
 */
export interface FinishedTurn extends TurnForCost {
  status: number;
  backend: string;
  error?: unknown;
  promptTokens?: number;
  prefilledTokens?: number;
  prefillTokensPerSecond?: number;
  cost?: TurnCost;
}

/** Prefill speeds kept per backend (not per session: bounded by the number of backends). */
const SPEED_SAMPLES = 20;

/**
 * Decides, per request, where it goes: a user rule (if any), then the session's mode (escalated,
 * pinned, or following the configured lanes and aliases), then the fit check, then a fallback chain.
 * Learns from finished turns: prefill speeds, where each lane's prompt is cached (kept in the session
 * table), local failures.
 */
export class SessionRouter {
  readonly policy: SessionPolicy;
  readonly cooldowns: BackendCooldowns;
  private shared: SharedSessionState | undefined;
  private readonly speeds = new Map<string, number[]>();
  /** The one session table (the model router's): routing's memory, and backends' slot facts. */
  readonly sessions: SessionTable;

  private constructor(
    private readonly router: ModelRouter,
    private readonly config: RoutingConfig,
    private readonly costs: CostMeter,
    private readonly rule: UserRule | undefined,
    /** Why the configured user rule did not load, if it did not. */
    readonly ruleLoadError: string | undefined,
  ) {
    this.sessions = router.sessions;
    this.policy = new SessionPolicy(config.escalation, this.sessions);
    this.cooldowns = new BackendCooldowns(config.fallback.cooldownMs, config.fallback.maxCooldownMs);
  }

  /** What `backend` takes of history made by other models, under the configured policy. */
  historyTarget(backend: Pick<Backend, "kind">): HistoryTarget {
    const policy = this.config.crossModel;
    return historyTargetFor(
      backend,
      backend.kind === "anthropic" ? policy.thinkingToAnthropic : policy.thinkingToLocal,
    );
  }

  /** Loads the user rule when one is configured; one that does not load is reported on every decision. */
  static async create(router: ModelRouter, config: RoutingConfig, costs: CostMeter): Promise<SessionRouter> {
    let rule: UserRule | undefined;
    let loadError: string | undefined;
    if (config.module) {
      try {
        rule = await loadUserRule(config.module);
      } catch (error) {
        loadError = `routing.module ${config.module} did not load: ${(error as Error).message}`;
      }
    }
    return new SessionRouter(router, config, costs, rule, loadError);
  }

  private get backends(): readonly Backend[] {
    return this.router.backendList();
  }

  /**
   * A route to `backend` or `backend/model`. Without a model, an Anthropic backend gets the Claude
   * model the client asked for (Claude Code sends real ids), any other backend its default model.
   */
  private routeFor(target: string, requested: string, reason: string): Route | undefined {
    const route = this.router.routeTo(target, reason);
    if (route && !target.includes("/") && route.backend.kind === "anthropic" && requested.startsWith("claude-"))
      return { ...route, model: requested };
    return route;
  }

  private cloudRoute(requested: string): Route | undefined {
    if (this.config.cloud) return this.routeFor(this.config.cloud, requested, "escalation");
    const cloud = this.backends.find((backend) => !backend.local);
    return cloud ? this.routeFor(cloud.name, requested, "escalation") : undefined;
  }

  /** The backends to try after `primary`: the configured chain, else every other backend, local first. */
  private fallbacks(primary: Route, requested: string): Route[] {
    const configured = this.config.fallback.chains[primary.backend.name];
    const names = configured ?? [
      ...this.backends.filter((backend) => backend.local).map((backend) => backend.name),
      ...this.backends.filter((backend) => !backend.local).map((backend) => backend.name),
    ];
    return names
      .filter((name) => name !== primary.backend.name)
      .flatMap((name) => this.routeFor(name, requested, "fallback") ?? []);
  }

  /** Where the session's mode sends this lane, with the rule that decided. */
  private routeForMode(
    mode: ModeDecision,
    identity: SessionIdentity,
    base: Route,
    requested: string,
  ): { route: Route; rule: string; reason: string } {
    const laneTarget = this.config.lanes[identity.kind];
    const lane = laneTarget ? this.router.routeTo(laneTarget, "lane") : undefined;
    const laneRule = lane && { route: lane, rule: "lane", reason: `${identity.kind} lane → ${laneTarget}` };
    // Side requests (titles) follow their lane even in an escalated session: they need no frontier model.
    if (identity.kind === "side" && laneRule) return laneRule;
    if (mode.mode === "cloud") {
      const cloud = this.cloudRoute(requested);
      if (cloud) return { route: cloud, rule: mode.rule, reason: mode.reason };
      return { route: base, rule: mode.rule, reason: `${mode.reason}; no cloud backend is configured, so it stays` };
    }
    if (mode.mode === "local" && !base.backend.local) {
      const local = this.backends.find((backend) => backend.local);
      const route = local && this.router.routeTo(local.name, "pinned-local");
      if (route) return { route, rule: mode.rule, reason: mode.reason };
    }
    if (mode.mode === "local") return { route: base, rule: mode.rule, reason: mode.reason };
    if (laneRule) return laneRule;
    const changed = !mode.sticky && mode.rule !== "default";
    return changed
      ? { route: base, rule: mode.rule, reason: mode.reason }
      : { route: base, rule: base.reason, reason: `model ${base.model} on ${base.backend.name} (${base.reason})` };
  }

  /**
   * Plans the route of a request of `identity`'s lane. A `preview` (count_tokens) plans the same route
   * without taking a turn: the session's mode moves on a copy, so it neither counts a turn in its mode nor
   * records a decision.
   */
  async plan(
    request: CanonicalRequest,
    identity: SessionIdentity,
    signal: AbortSignal,
    { preview = false }: { preview?: boolean } = {},
  ): Promise<RoutePlan> {
    // Only a team's replicas share state; a lone gateway plans without waiting on anything.
    if (this.shared) await Promise.all([this.refreshSession(identity.sessionId), this.cooldowns.refresh()]);
    const plan = await this.planHere(request, identity, signal, preview);
    if (!preview) void this.shared?.save(identity.sessionId, this.sessions);
    return plan;
  }

  /**
   * Brings a session's mode and placement up to what another replica wrote since this one read them, as
   * each plan does first (cooldowns.refresh is the same for backends). Nothing without shared state.
   */
  refreshSession(sessionId: string): Promise<void> {
    return this.shared?.load(sessionId, this.sessions) ?? Promise.resolve();
  }

  /** Shares sessions' modes and placement, and backend cooldowns, with the other replicas of a team's gateway. */
  useSharedState(shared: SharedSessionState, cooldowns?: SharedCooldowns): void {
    this.shared = shared;
    if (cooldowns) this.cooldowns.share(cooldowns);
  }

  private async planHere(
    request: CanonicalRequest,
    identity: SessionIdentity,
    signal: AbortSignal,
    preview: boolean,
  ): Promise<RoutePlan> {
    const policy = preview ? this.policy.copyOf(identity.sessionId) : this.policy;
    const signals = readSignals(request, this.config.escalation);
    const refreshing = this.router.refreshFor(request.model, signal);
    if (refreshing) await refreshing;
    const base = this.router.resolve(request.model, identity.sessionId);
    let moduleError = this.ruleLoadError;
    let chosen: { route: Route; rule: string; reason: string } | undefined;
    let mode: ModeDecision | undefined;
    if (this.rule) {
      const state = policy.state(identity.sessionId);
      const outcome = await runUserRule(
        this.rule,
        {
          request: {
            model: request.model,
            sessionId: identity.sessionId,
            lane: identity.name,
            laneKind: identity.kind,
            messages: request.messages.length,
            tools: request.tools.length,
            maxTokens: request.maxTokens,
            estimatedTokens: tokenEstimate(request),
          },
          signals,
          session: state && {
            mode: state.mode,
            rule: state.rule,
            reason: state.reason,
            turnsInMode: state.turnsInMode,
          },
          backends: this.backends.map((backend) => ({ name: backend.name, local: backend.local })),
        },
        this.config.moduleTimeoutMs,
        this.backends.map((backend) => backend.name),
      );
      if (outcome.kind === "failed") moduleError = `routing.module ${outcome.error}; the configured rules decided`;
      if (outcome.kind === "decision") {
        const decision = outcome.decision;
        const reason = decision.reason ?? "the user rule decided";
        if ("backend" in decision) {
          // A backend is for this request only; the session's own state still moves on.
          const route = this.router.routeTo(decision.backend, "module");
          if (route) chosen = { route, rule: "module", reason };
        } else {
          mode = policy.force(identity.sessionId, decision.mode, "module", reason, identity.kind);
        }
      }
    }
    mode ??= policy.decide(identity.sessionId, identity.kind, signals);
    chosen ??= this.routeForMode(mode, identity, base, request.model);

    const record: RoutingRecord = { rule: chosen.rule, reason: chosen.reason, sticky: mode.sticky, mode: mode.mode };
    if (chosen.rule === "module") record.sticky = false;
    if (moduleError) record.moduleError = moduleError;
    let chain: RoutePlan["chain"] = [chosen.route, ...this.fallbacks(chosen.route, request.model)];
    let tokens = { count: 0, exact: false, known: false };
    if (this.config.fit) {
      const previous = this.sessions.peekLane(identity)?.prompts;
      const first = await checkFit(
        chosen.route.backend,
        chosen.route.model,
        request,
        signal,
        previous?.get(chosen.route.backend.name),
      );
      tokens = { count: first.tokens, exact: first.exact, known: true };
      if (!first.fits && first.context) {
        for (const candidate of chain.slice(1)) {
          const fit = await checkFit(
            candidate.backend,
            candidate.model,
            request,
            signal,
            previous?.get(candidate.backend.name),
          );
          if (!fit.fits) continue;
          record.rule = "fit";
          record.reason = `${first.tokens} tokens (${first.exact ? "counted" : "estimated"}) do not fit ${chosen.route.backend.name}'s ${first.context}-token context; ${candidate.backend.name} holds ${fit.context ?? "an unknown number of"} tokens (was: ${chosen.reason})`;
          record.fit = {
            backend: chosen.route.backend.name,
            tokens: first.tokens,
            exact: first.exact,
            context: first.context,
          };
          chain = [candidate, ...chain.filter((route) => route !== candidate)];
          break;
        }
      }
    }
    if (!tokens.known) tokens = { count: tokenEstimate(request), exact: false, known: true };
    const switchCost = this.switchCost(identity, chain[0], tokens.count, tokens.exact);
    if (switchCost) record.switchCost = switchCost;
    return { chain, record };
  }

  /** The cost of moving a lane to `target` when it last ran elsewhere; undefined when it stays. */
  switchCost(lane: Lane, target: Route, promptTokens: number, exact: boolean): SwitchCost | undefined {
    const memory = this.sessions.peekLane(lane);
    if (!memory?.ranOn || memory.ranOn === target.backend.name) return undefined;
    const held = memory.prompts.get(target.backend.name)?.tokens ?? 0;
    const tokensNotCached = Math.max(0, promptTokens - held);
    const cost: SwitchCost = { from: memory.ranOn, to: target.backend.name, tokensNotCached, exact };
    const speed = median(this.speeds.get(target.backend.name) ?? []);
    if (speed) {
      cost.prefillTokensPerSecond = Math.round(speed);
      cost.seconds = tokensNotCached / speed;
    }
    if (!target.backend.local) {
      const price = this.costs.priceOf(target.model);
      if (price) cost.cacheWriteUsd = (tokensNotCached * price.price.cacheWrite) / 1_000_000;
    }
    return cost;
  }

  /**
   * Called with each finished turn's record before it is stored: adds its cost, learns from it. With
   * shared session state, resolves once what the turn changed of its session is written there.
   */
  complete(
    record: FinishedTurn,
    message: CollectedMessage,
    identity: SessionIdentity | undefined,
    request: CanonicalRequest | undefined,
  ): Promise<void> | undefined {
    const cost = this.costs.turnCost(record);
    if (cost) record.cost = cost;
    if (record.status !== 200 || !record.usage || record.error) return undefined;
    // Tiny prefills measure overheads, not speed.
    if (record.prefillTokensPerSecond && (record.prefilledTokens ?? 0) >= 32) {
      const samples = this.speeds.get(record.backend) ?? [];
      samples.push(record.prefillTokensPerSecond);
      if (samples.length > SPEED_SAMPLES) samples.shift();
      this.speeds.set(record.backend, samples);
    }
    if (!identity) return undefined;
    const memory = this.sessions.lane(identity);
    memory.ranOn = record.backend;
    if (record.promptTokens !== undefined && request)
      memory.prompts.set(record.backend, { tokens: record.promptTokens, bound: tokenUpperBound(request) });
    this.policy.observe(identity.sessionId, {
      local: record.backendLocal === true,
      laneKind: identity.kind,
      failure: detectLocalFailure(message),
    });
    // What the turn changed of the shared state (its session's mode, a backend's cooldown) is written
    // before the turn's answer ends, so the client's next request finds it on whichever replica.
    if (!this.shared) return undefined;
    return Promise.all([this.shared.save(identity.sessionId, this.sessions), this.cooldowns.settled()]).then(noop);
  }

  /** The session's mode, for status pages and tests. */
  modeOf(sessionId: string): SessionMode | undefined {
    return this.policy.state(sessionId)?.mode;
  }
}

const noop = () => {};

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
