import { constants } from "node:os";

/**
 * What SIGINT and SIGTERM do to `switchyard serve`, installed before it starts anything. Until the
 * gateway is ready (a pull, an engine loading a model: minutes for a large one), a signal ends the
 * process at once with 128 + the signal's number; `process.exit` runs the engine supervisor's exit hook,
 * which kills every llama-server this process launched, so none is left holding its port and memory.
 * Left to the default action instead, the process would die without running any hook. Once ready, the
 * first signal closes the gateway (connections, backends, the engine, the store) and exits 0; a second
 * one, while that runs, exits at once like the first.
 */
export function stopOnSignals(say: (message: string) => void): { ready(close: () => Promise<void>): void } {
  let close: (() => Promise<void>) | undefined;
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = 128 + constants.signals[signal];
    if (!close) {
      say(`${signal} before the gateway was ready: stopping`);
      process.exit(code);
    }
    if (closing) process.exit(code);
    closing = true;
    close().then(
      () => process.exit(0),
      (error: Error) => {
        say(`could not close cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    ready(closeGateway) {
      close = closeGateway;
    },
  };
}
