import { expect } from "vitest";
import { type FixtureRequest, fixtureRequests, recordingsOf, replayRequest } from "./fixtures.js";

export interface StreamedUsage {
  input_tokens: number;
  cache_read_input_tokens: number;
}

/** A request of the installed Claude Code's recordings (`session`/`file`). */
export function recordedClaudeCode(session: string, file: string): FixtureRequest {
  const request = fixtureRequests(session, recordingsOf("claude-code")).find((each) => each.file === file);
  if (!request?.body) throw new Error(`no ${session}/${file}`);
  return request;
}

/** Sends a recorded Claude Code request, its answer capped at 8 tokens; its usage (expects a 200). */
export async function sendRecorded(url: string, request: FixtureRequest): Promise<StreamedUsage> {
  const response = await replayRequest(url, { ...request, body: { ...request.body, max_tokens: 8 } });
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(200);
  // Streamed as Claude Code asked: the usage is on message_start and message_delta.
  const usages = [...text.matchAll(/"usage":(\{[^}]*\})/g)].map(
    (match) => JSON.parse(match[1] as string) as StreamedUsage,
  );
  return { input_tokens: 0, cache_read_input_tokens: 0, ...Object.assign({}, ...usages) };
}
