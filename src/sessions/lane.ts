export type LaneKind = "main" | "subagent" | "side";

/** A lane's name within its session: the main agent, one subagent, or the side requests (titles). */
export type LaneName = "main" | `subagent:${string}` | "side";

/**
 * One growing conversation of a session: the main agent, each subagent, or the side requests. Each lane
 * gets its own warm prefix (and, on llama-server, its own slot). Passed around whole; nothing outside the
 * session table joins it into a string key.
 */
export interface Lane {
  readonly sessionId: string;
  readonly name: LaneName;
  readonly kind: LaneKind;
}

export const sameLane = (a: Lane, b: Lane) => a.sessionId === b.sessionId && a.name === b.name;

/** How a lane is named to a person (miss explanations, slot file names): `session/lane`. */
export const describeLane = (lane: Lane) => `${lane.sessionId}/${lane.name}`;
