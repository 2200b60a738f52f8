/**
 * A stack of undo steps that runs once: on release, on a failure half-way, and when the
 * signal it is armed on aborts (Ctrl-C). Steps run in reverse order; a failing step does not
 * stop the others (every mount must be tried), the first error is rethrown at the end.
 *
 * While a volume is still being opened, the opener checks the signal between steps and cleans
 * up itself: an abort listener running concurrently would race a mount that is starting.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  private readonly onAbort = (): void => {
    void this.run().catch(() => {});
  };

  private signal: AbortSignal | undefined;

  /** From now on an abort of `signal` runs the cleanup (call once the volume is ready). */
  armOn(signal: AbortSignal): void {
    this.signal = signal;
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Adds an undo step (runs before the ones added earlier). */
  push(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  /** True once {@link Cleanup.run} started. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs every step once; later calls wait for the same run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      this.signal?.removeEventListener('abort', this.onAbort);
      let first: Error | undefined;
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (err) {
          first ??= err instanceof Error ? err : new Error(String(err));
        }
      }
      if (first !== undefined) throw first;
    })();
    return this.running;
  }
}
