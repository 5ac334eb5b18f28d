/** What became of one run. Every run ends in exactly one of these; none is ever dropped. */
export type RunStatus = "scored" | "agent_timeout" | "agent_error" | "tamper" | "infra_error";

export interface StepTiming {
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  logBytes: number;
}

export interface RunRecord {
  task: string;
  epoch: number;
  /** 1, or 2 when the first attempt ended in infra_error and was retried. */
  attempts: number;
  status: RunStatus;
  /** In [0, 1]: 0 for agent_timeout, tamper and infra_error. */
  score: number;
  passed: boolean;
  agent: string;
  route: string;
  sessionId: string;
  /** The run's id, which tagged its requests at the gateway (docs/design/eval.md). */
  runId?: string;
  agentStep?: StepTiming;
  scorerStep?: StepTiming;
  /** Protected paths the agent touched (`changed tests/x`), restored before scoring. */
  tamper: string[];
  diffBytes: number;
  /** How the scorer was cut off from the network: unshare, bwrap, or none (the machine allowed neither). */
  network: string;
  /** Wall time minus the agent's and the scorer's own time: copy, commit, restore, launches. */
  overheadMs: number;
  wallMs: number;
  /** Where the overhead goes: copy + setup + commit + snapshot; diff + restore + hidden-test copy. */
  phasesMs: { prepare?: number; diffRestore?: number };
  /** Why, for anything but a clean score: the infra error, the first attempt's error, a note. */
  notes: string[];
  /** Filled from the gateway's records for sessionId, when the run went through Switchyard. */
  tokens?: { prompt: number; reused: number; prefilled: number; output: number };
  costUsd?: number;
  /** Conversation turns the gateway recorded for sessionId. */
  gatewayTurns?: number;
}
