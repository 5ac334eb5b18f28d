import type { Backend } from "../../src/backends/backend.js";
import type { ErrorKind } from "../../src/core/errors.js";
import type { LoopbackResponse, LoopbackServer, RecordedRequest } from "../support/loopback-server.js";
import type { ConformanceRig, Scenario, Staging } from "./backend-conformance.js";

/** What a loopback server answers for one scenario; `errorKind` for `http-error`. */
export interface LoopbackStage<Sse> extends Staging {
  response: LoopbackResponse<Sse>;
  errorKind?: ErrorKind;
}

export interface LoopbackRigOptions<Sse> {
  /** Starts the protocol server with the rig's script. */
  startServer(script: (request: RecordedRequest) => LoopbackResponse<Sse>): Promise<LoopbackServer>;
  /** The backend in front of the server at `url`. */
  backend(url: string): Backend;
  model: string;
  /** The scenarios this server's documented wire data covers. */
  stages: Partial<Record<Scenario, LoopbackStage<Sse>>>;
  /** Answers for requests that are not generations (models list, count_tokens, tokenize), by path. */
  fixedAnswers: (request: RecordedRequest) => LoopbackResponse<Sse> | undefined;
}

/**
 * A conformance rig over a loopback protocol server: each scenario answers with the server's documented
 * wire data, the upstream body is visible, and "finished" is whether the server wrote its whole answer.
 */
export async function startLoopbackRig<Sse>(options: LoopbackRigOptions<Sse>): Promise<ConformanceRig> {
  let current: LoopbackStage<Sse> | undefined;
  let lastGeneration = -1;
  const server = await options.startServer((request) => {
    const fixed = options.fixedAnswers(request);
    if (fixed) return fixed;
    lastGeneration = server.requests.indexOf(request);
    if (!current) throw new Error("no scenario staged");
    return current.response;
  });
  const backend = options.backend(server.url);
  return {
    backend,
    model: options.model,
    stage(scenario) {
      current = options.stages[scenario];
      return current ? { errorKind: current.errorKind, request: current.request } : undefined;
    },
    lastUpstreamBody: () => server.requests[lastGeneration]?.body,
    upstreamFinished: () => server.closed(lastGeneration),
    async close() {
      await backend.close();
      await server.close();
    },
  };
}

/** The byte offset a little way into the event after the first `events` events of an SSE text. */
export function bytesIntoEvent(sse: string, events: number): number {
  let offset = 0;
  for (let seen = 0; seen < events; seen++) {
    const next = sse.indexOf("\n\n", offset);
    if (next < 0) throw new Error(`the stream has fewer than ${events} events`);
    offset = next + 2;
  }
  return Buffer.byteLength(sse.slice(0, offset), "utf8") + 10;
}
