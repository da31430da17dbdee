export interface QuitGuardDeps {
  /** The run in progress, if any. */
  activeRun(): string | null;
  /** Asks the user whether to stop `run` and quit; false keeps the app open. */
  confirmStop(run: string): Promise<boolean>;
  /** Stops the active run (it stays resumable) and closes the database. */
  shutdown(): Promise<void>;
  /** Quits for real (called once shutdown is done). */
  quit(): void;
}

export interface QuitGuard {
  /** For `app.on('before-quit')` and the window's 'close': holds the quit until shutdown is done. */
  onQuitRequested(event: { preventDefault(): void }): void;
  /** Shutdown has finished; quitting and closing now go through untouched. */
  finished(): boolean;
}

/**
 * Quitting (menu, Cmd+Q, closing the window) first asks when a run is going, then stops the run
 * cleanly and closes the database, and only then lets the app exit. A second quit request while
 * this is under way is held, not doubled.
 */
export function createQuitGuard(deps: QuitGuardDeps): QuitGuard {
  let state: 'open' | 'stopping' | 'done' = 'open';

  const stop = async (): Promise<void> => {
    try {
      const run = deps.activeRun();
      if (run !== null && !(await deps.confirmStop(run))) {
        state = 'open';
        return;
      }
    } catch (error) {
      // Without an answer, keep the app (and the run) going rather than lose work.
      console.error('MedBench Local: could not ask before quitting:', error);
      state = 'open';
      return;
    }
    try {
      await deps.shutdown();
    } catch (error) {
      console.error('MedBench Local: shutting down failed:', error);
    }
    state = 'done';
    deps.quit();
  };

  return {
    onQuitRequested(event) {
      if (state === 'done') return;
      event.preventDefault();
      if (state === 'stopping') return;
      state = 'stopping';
      void stop();
    },
    finished: () => state === 'done',
  };
}
