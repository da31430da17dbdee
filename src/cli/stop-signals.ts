/**
 * Ctrl-C (or SIGTERM) during a long command: the first asks the work to stop after what is in flight,
 * whose results are already committed; a second quits at once with 130, as shells expect.
 */
export interface StopSignals {
  signal: AbortSignal;
  /** Removes the handlers: call it in `finally`, or a later Ctrl-C would reach a finished command. */
  dispose(): void;
}

export function listenForStop(savedWhat: string): StopSignals {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort();
    process.stderr.write(`\nStopping after the pairs in flight (Ctrl-C again to quit at once; ${savedWhat} are saved either way)...\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
