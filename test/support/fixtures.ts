/** Recorded Claude Code traffic; the loader lives in src/bench so `switchyard bench replay` uses it too. */
export {
  FIXTURE_ROOT,
  type FixtureRequest,
  fixtureRequests,
  fixtureSessions,
  replayHeaders,
} from "../../src/bench/recorded-sessions.js";
