import type { SessionSummary } from "../telemetry/turn-source.js";

export interface SessionUsage {
  tokens: { prompt: number; reused: number; prefilled: number; output: number };
  costUsd: number;
  turns: number;
}

async function readSummary(gatewayUrl: string, sessionId: string, signal: AbortSignal): Promise<SessionSummary | null> {
  const response = await fetch(
    `${gatewayUrl.replace(/\/+$/, "")}/v1/switchyard/sessions/${encodeURIComponent(sessionId)}/summary`,
    {
      signal,
    },
  );
  if (!response.ok) throw new Error(`the gateway answered ${response.status} for session ${sessionId}`);
  return ((await response.json()) as { session: SessionSummary | null }).session;
}

/**
 * The gateway's own totals for a run's session id: tokens measured at the server, not the agent's
 * self-report. The store commits in batches (200 ms by default), so this reads until two reads 300 ms
 * apart agree; undefined when the gateway saw no turn of that session.
 */
export async function sessionUsage(
  gatewayUrl: string,
  sessionId: string,
  { timeoutMs = 10_000, settleMs = 300 } = {},
): Promise<SessionUsage | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  let previous = await readSummary(gatewayUrl, sessionId, signal);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const current = await readSummary(gatewayUrl, sessionId, signal);
    if (JSON.stringify(current) === JSON.stringify(previous)) break;
    previous = current;
  }
  if (!previous) return undefined;
  return {
    tokens: {
      prompt: previous.promptTokens,
      reused: previous.reusedTokens,
      prefilled: previous.prefilledTokens,
      output: previous.outputTokens,
    },
    costUsd: previous.costUsd ?? 0,
    turns: previous.turns,
  };
}
