/** A request body as Switchyard logged it (telemetry.logBodies), with the fields these tests read. */
export interface LoggedRequest {
  messages?: Array<{ role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }>;
}

/** The request bodies Switchyard logged (telemetry.logBodies), oldest first. */
export function loggedRequests(log: readonly string[]): LoggedRequest[] {
  const prefix = "request body ";
  return log.filter((line) => line.startsWith(prefix)).map((line) => JSON.parse(line.slice(prefix.length)));
}
