import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { LaneKind } from "../sessions/lane.js";
import type { SessionMode } from "../sessions/session-entry.js";
import type { RequestSignals } from "./session-signals.js";

/** What a user rule is given: a summary of the request, its signals, the session's routing state. */
export interface RuleInput {
  request: {
    model: string;
    sessionId: string;
    lane: string;
    laneKind: LaneKind;
    messages: number;
    tools: number;
    maxTokens: number;
    /** A cheap estimate of the prompt's tokens (about four bytes a token). */
    estimatedTokens: number;
  };
  signals: RequestSignals;
  session: { mode: SessionMode; rule: string; reason: string; turnsInMode: number } | undefined;
  backends: Array<{ name: string; local: boolean }>;
}

/**
 * A rule's answer: a backend (`name` or `name/model`) for this request, or a mode for the session
 * (sticky, like the configured rules' decisions). `undefined` leaves the decision to the configured rules.
 */
export type RuleDecision = { backend: string; reason?: string } | { mode: SessionMode; reason?: string };

export type UserRule = (input: RuleInput) => RuleDecision | undefined | Promise<RuleDecision | undefined>;

export type RuleOutcome =
  | { kind: "decision"; decision: RuleDecision }
  | { kind: "none" }
  | { kind: "failed"; error: string };

/**
 * Loads the default export of `path`: trusted code, run in the gateway's process with its privileges.
 * `loadConfig` has resolved a relative path in the config file against the file's directory.
 */
export async function loadUserRule(path: string): Promise<UserRule> {
  const loaded = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  if (typeof loaded.default !== "function") throw new Error(`${path} has no default-exported function`);
  return loaded.default as UserRule;
}

function validate(value: unknown, backendNames: readonly string[]): RuleOutcome {
  if (value === undefined || value === null) return { kind: "none" };
  if (typeof value !== "object") return { kind: "failed", error: `returned ${typeof value}, not a decision` };
  const candidate = value as { backend?: unknown; mode?: unknown; reason?: unknown };
  const reason = typeof candidate.reason === "string" ? candidate.reason.slice(0, 200) : undefined;
  if (typeof candidate.backend === "string") {
    const name = candidate.backend.split("/")[0] ?? "";
    if (!backendNames.includes(name))
      return { kind: "failed", error: `named no configured backend: ${candidate.backend}` };
    return { kind: "decision", decision: { backend: candidate.backend, reason } };
  }
  if (candidate.mode === "auto" || candidate.mode === "cloud" || candidate.mode === "local")
    return { kind: "decision", decision: { mode: candidate.mode, reason } };
  return { kind: "failed", error: `returned ${JSON.stringify(value).slice(0, 120)}, neither { backend } nor { mode }` };
}

/**
 * Runs the rule with a time limit. An async rule is raced against a timer. A synchronous rule cannot
 * be interrupted in-process: its answer is discarded when it overran. Throwing, timing out and garbage
 * all come back as `failed`, so the caller falls back to the configured rules and records why.
 */
export async function runUserRule(
  rule: UserRule,
  input: RuleInput,
  timeoutMs: number,
  backendNames: readonly string[],
): Promise<RuleOutcome> {
  const started = performance.now();
  let returned: ReturnType<UserRule>;
  try {
    returned = rule(input);
  } catch (error) {
    return { kind: "failed", error: `threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (returned && typeof (returned as Promise<unknown>).then === "function") {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<RuleOutcome>((resolveTimeout) => {
      timer = setTimeout(
        () => resolveTimeout({ kind: "failed", error: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([
        (returned as Promise<unknown>).then(
          (value) => validate(value, backendNames),
          (error: unknown) => ({
            kind: "failed" as const,
            error: `threw: ${error instanceof Error ? error.message : String(error)}`,
          }),
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
  const elapsed = performance.now() - started;
  if (elapsed > timeoutMs) return { kind: "failed", error: `took ${Math.round(elapsed)} ms (limit ${timeoutMs} ms)` };
  return validate(returned, backendNames);
}
