import type { ServerResponse } from "node:http";
import type { TurnStore } from "../store/turn-store.js";
import { summarizeSession } from "../telemetry/summarize-session.js";
import type { TurnRecord, TurnRecorder } from "../telemetry/turn-record.js";
import type { SessionSummary } from "../telemetry/turn-source.js";
import { sendJson } from "./http-body.js";

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

export const SESSION_SUMMARY_PATH = /^\/v1\/switchyard\/sessions\/([^/]+)\/summary$/;

/**
 * GET /v1/switchyard/sessions/<id>/summary. From the store when there is one (the whole session), else
 * from the turns still in memory.
 */
export async function handleSessionSummary(
  response: ServerResponse,
  sessionId: string,
  store: TurnStore | undefined,
  recorder: TurnRecorder,
): Promise<void> {
  let session: SessionSummary | undefined;
  let last: TurnRecord | undefined;
  if (store) {
    session = await store.session(sessionId);
    last = (await store.turns({ sessionId, limit: 1 }))[0];
  } else {
    const turns = recorder.recent(Number.MAX_SAFE_INTEGER).filter((turn) => turn.sessionId === sessionId);
    session = summarizeSession(sessionId, turns);
    last = turns.at(-1);
  }
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
  sendJson(response, session ? 200 : 404, status);
}
