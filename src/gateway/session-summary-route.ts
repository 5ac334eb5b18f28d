import type { ServerResponse } from "node:http";
import { invalidRequest } from "../core/errors.js";
import type { TurnStore } from "../store/turn-store.js";
import { summarizeSession } from "../telemetry/summarize-session.js";
import type { TurnRecord, TurnRecorder } from "../telemetry/turn-record.js";
import type { SessionSummary } from "../telemetry/turn-source.js";
import { sendJson } from "../util/send-json.js";

/** What `switchyard statusline` shows: the session's totals and its latest turn. */
export interface SessionStatus {
  session: SessionSummary | null;
  lastTurn:
    | (Pick<
        TurnRecord,
        | "startedAt"
        | "backend"
        | "backendModel"
        | "backendLocal"
        | "requestedModel"
        | "status"
        | "ttftMs"
        | "promptTokens"
        | "reusedTokens"
        | "prefilledTokens"
        | "outputTokens"
      > & { missReason: string | null })
    | null;
}

/** How far back to look for the main agent's latest turn. */
const RECENT_TURNS = 50;

export const SESSION_SUMMARY_PATH = /^\/v1\/switchyard\/sessions\/([^/]+)\/summary$/;

/**
 * GET /v1/switchyard/sessions/<id>/summary: the session's totals and its main agent's latest turn (else
 * its latest). From the store when there is one (the whole session), else from the turns still in memory.
 */
export async function handleSessionSummary(
  response: ServerResponse,
  encodedSessionId: string,
  store: TurnStore | undefined,
  recorder: TurnRecorder,
): Promise<void> {
  let sessionId: string;
  try {
    sessionId = decodeURIComponent(encodedSessionId);
  } catch {
    throw invalidRequest(`the session id in the path is not valid percent-encoding: ${encodedSessionId}`);
  }
  let session: SessionSummary | undefined;
  let recent: TurnRecord[];
  if (store) {
    session = await store.session(sessionId);
    recent = await store.turns({ sessionId, limit: RECENT_TURNS });
  } else {
    const turns = recorder.recent(Number.MAX_SAFE_INTEGER).filter((turn) => turn.sessionId === sessionId);
    session = summarizeSession(sessionId, turns);
    recent = turns.slice(-RECENT_TURNS);
  }
  // The main agent's latest turn, not a title request or a subagent's that happened to end last.
  const last = recent.findLast((turn) => turn.laneKind === "main") ?? recent.at(-1);
  const status: SessionStatus = {
    session: session ?? null,
    lastTurn: last
      ? {
          startedAt: last.startedAt,
          backend: last.backend,
          backendModel: last.backendModel,
          backendLocal: last.backendLocal,
          requestedModel: last.requestedModel,
          status: last.status,
          ttftMs: last.ttftMs,
          promptTokens: last.promptTokens,
          reusedTokens: last.reusedTokens,
          prefilledTokens: last.prefilledTokens,
          outputTokens: last.outputTokens,
          missReason: last.miss?.reason ?? null,
        }
      : null,
  };
  // A session without turns yet is an answer, not an error: the status line asks before the first turn.
  sendJson(response, 200, status);
}
