/**
 * The status each route a recorded client probed gets from api.anthropic.com, and from Switchyard. Sources
 * for the real API's answers: test/fixtures/claude-code/README.md, "Probe routes". A probe missing here
 * fails the replay, so a re-recording that finds a new one makes someone look up its real answer.
 */
export const PROBE_STATUS: Readonly<Record<string, { realApi: number; switchyard: number }>> = {
  "HEAD /api/hello": { realApi: 200, switchyard: 200 },
  // Switchyard serves a page at GET /, so HEAD / answers 200 like GET (RFC 9110, 9.3.2); only 2.1.197 probes it.
  "HEAD /": { realApi: 404, switchyard: 200 },
};
