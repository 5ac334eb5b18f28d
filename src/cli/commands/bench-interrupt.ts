/** Aborts on the first Ctrl-C (the request in flight is cancelled, so its slot is freed); a second one exits. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ninterrupted: cancelling the request in flight…\n");
    controller.abort(new Error("interrupted"));
  };
  process.on("SIGINT", onSignal);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSignal) };
}
