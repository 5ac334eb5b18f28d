import type { BenchTarget } from "./bench-target.js";
import type { ServerTimings } from "./measure-stream.js";

const TIMEOUT_MS = 5000;

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** The context a request may fill on the target, when it says (Switchyard's info, llama-server's /props). */
export async function targetContextWindow(target: BenchTarget, signal?: AbortSignal): Promise<number | undefined> {
  try {
    if (target.kind === "switchyard")
      return ((await getJson(`${target.baseUrl}/v1/switchyard/info`, signal)) as { contextWindow?: number })
        .contextWindow;
    if (target.kind === "llama-server") {
      // `?model=`: in router mode the router's own /props says 0; a one-model server ignores it.
      const props = (await getJson(`${target.baseUrl}/props?model=${encodeURIComponent(target.model)}`, signal)) as {
        default_generation_settings?: { n_ctx?: number };
      };
      return props.default_generation_settings?.n_ctx;
    }
  } catch {
    signal?.throwIfAborted();
  }
  return undefined;
}

interface TurnRecordTimings {
  sessionId?: string;
  prefilledTokens?: number;
  reusedTokens?: number;
  outputTokens?: number;
  ttftMs?: number;
  timings?: { promptMs?: number; predictedMs?: number };
}

/**
 * A Switchyard target's Anthropic stream carries no backend timings; its turn record does. Returns the
 * `ordinal`-th (1-based) record of `sessionId`, polling briefly: records are written just after the answer.
 */
export async function switchyardTurnTimings(
  target: BenchTarget,
  sessionId: string,
  ordinal: number,
  signal?: AbortSignal,
): Promise<{ timings: ServerTimings; gatewayTtftMs: number | undefined } | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { turns } = (await getJson(`${target.baseUrl}/v1/switchyard/turns?limit=200`, signal)) as {
      turns: TurnRecordTimings[];
    };
    const mine = turns.filter((turn) => turn.sessionId === sessionId);
    const turn = mine[ordinal - 1];
    if (turn)
      return {
        timings: {
          promptN: turn.prefilledTokens,
          cacheN: turn.reusedTokens,
          promptMs: turn.timings?.promptMs,
          predictedN: turn.outputTokens,
          predictedMs: turn.timings?.predictedMs,
        },
        gatewayTtftMs: turn.ttftMs,
      };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
