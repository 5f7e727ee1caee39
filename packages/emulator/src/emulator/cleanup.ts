// What start-up has set up so far (listeners, the provider, process.env), undone last first: on stop, and when a later step throws.

/** An undo step: closes a server, puts a variable back. */
export type Undo = () => Promise<void> | void;

/**
 * A stack of undo steps, like `AsyncDisposableStack` (not in Node 20): each step is pushed as soon as
 * what it undoes exists, so a later step that throws leaves nothing listening.
 * @example const undo = new Cleanup(); const port = await lb.listen(0); undo.defer(() => lb.close()); ... await undo.run();
 */
export class Cleanup {
  private readonly steps: Undo[] = [];

  /** Adds a step; it runs before every step added earlier. */
  defer(step: Undo): void {
    this.steps.push(step);
  }

  /**
   * Runs every step, last added first; a step that fails does not keep the others from running.
   * The steps stay: a second run undoes again (each step is safe to repeat).
   * @throws the step's error (an AggregateError when several failed), once every step has run.
   */
  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, "several cleanup steps failed");
  }
}
