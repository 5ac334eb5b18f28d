import type { ServerResponse } from "node:http";

/**
 * Paths clients probe on their base URL before (or beside) their first API call. They carry no API key and
 * are answered before the key check, with the status api.anthropic.com gives, so a client's view of a
 * Switchyard it reaches matches its view of the real API. Where each status comes from:
 * test/fixtures/claude-code/README.md ("Probe routes").
 */
interface ProbeRoute {
  methods: readonly string[];
  path: string;
  status: number;
}

export const PROBE_ROUTES: readonly ProbeRoute[] = [
  // Claude Code 2.1.332 preconnects with HEAD /api/hello; its first-run check GETs the same path and wants 200.
  { methods: ["HEAD", "GET"], path: "/api/hello", status: 200 },
  // Claude Code 2.1.197 preconnected with HEAD /. The real API answers 404 there, but Switchyard serves a page
  // at GET /, and HEAD answers as GET does (RFC 9110, 9.3.2).
  { methods: ["HEAD"], path: "/", status: 200 },
];

/** Answers a probe and returns true, or returns false for any other request. The answer has no body. */
export function answerProbe(method: string, path: string, response: ServerResponse): boolean {
  const route = PROBE_ROUTES.find((candidate) => candidate.path === path && candidate.methods.includes(method));
  if (!route) return false;
  response.writeHead(route.status);
  response.end();
  return true;
}
