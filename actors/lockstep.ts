/**
 * The lockstep gate of a deterministic experiment (`experiment.mode: lockstep`): at the end of
 * each report window the engine stops taking input until everything its report can set off has
 * happened, so the same stream and configuration always give the same series (RTCEF's own
 * protocol: the replayer waits until the new model is in place). In two steps:
 * 1. data: the collector has collected every event the engine processed and looked at the one it
 *    stands at, the next window's first (closing the bucket that event ends, so the newest dataset
 *    reaches the window's end), and the factory has assembled the newest dataset version the
 *    collector announced; only then does the engine publish its report, so a retrain it sets off
 *    trains on the same data every time;
 * 2. decisions: the observer has judged every report, the optimiser has taken up every
 *    instruction and finished its job, and the engine has loaded the newest model the factory
 *    shipped (it swaps it in before its next event).
 * The gate reads the roles' counters in this process, hence in-process transport only. A wait
 * longer than `experiment.settleTimeoutMs` ends with a warning rather than a hang.
 *
 * @module
 */

/** The counters of the other roles that the gate waits on, read afresh on every look. */
export interface LockstepCounters {
  /** Events the collector has collected, plus the one the engine stands at once it looked at it. */
  collected: number;
  /** Newest dataset version the collector announced, and the newest the factory assembled; -1: none. */
  newestAnnounced: number;
  newestAssembled: number;
  /** Reports the observer has judged; Infinity when no observer runs. */
  reportsJudged: number;
  /** Instructions the observer sent, and those the optimiser took up (ran or dropped). */
  instructionsSent: number;
  instructionsTaken: number;
  optimiserBusy: boolean;
  /** Newest model version the factory shipped, -1 before the first. */
  newestShipped: number;
}

/** Settings of the gate. */
export interface LockstepOptions {
  /** Longest one wait lasts, ms. */
  timeoutMs: number;
  /** How often the counters are read while waiting, ms. */
  pollMs?: number;
}

/** Holds the engine at each report until the rest of the system has settled. */
export class LockstepGate {
  readonly #read: () => LockstepCounters;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  #loaded = -1;

  /** A gate reading the other roles' counters through `read`. */
  constructor(read: () => LockstepCounters, options: LockstepOptions) {
    if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 1) {
      throw new RangeError(
        `timeoutMs must be an integer >= 1: current value is ${options.timeoutMs}`,
      );
    }
    this.#read = read;
    this.#timeoutMs = options.timeoutMs;
    this.#pollMs = options.pollMs ?? 2;
  }

  /** The engine has loaded model `version` (it is in use or swapped in before the next event). */
  modelLoaded(version: number): void {
    this.#loaded = Math.max(this.#loaded, version);
  }

  /**
   * Step 1: resolves true once the collector has reached `covered` events (collected, or looked
   * at for the one the engine stands at) and the factory has assembled the newest announced
   * dataset; false on timeout or abort.
   */
  dataSettled(covered: number, signal: AbortSignal): Promise<boolean> {
    return this.#until((c) => dataDone(c, covered), signal);
  }

  /**
   * Step 2: resolves true once `reports` reports are judged, every instruction is taken up and
   * done, the newest shipped model is loaded, and the data are still settled; false on timeout
   * or abort.
   */
  decisionsSettled(reports: number, covered: number, signal: AbortSignal): Promise<boolean> {
    return this.#until(
      (c) =>
        c.reportsJudged >= reports && c.instructionsTaken >= c.instructionsSent &&
        !c.optimiserBusy && this.#loaded >= c.newestShipped && dataDone(c, covered),
      signal,
    );
  }

  async #until(done: (c: LockstepCounters) => boolean, signal: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + this.#timeoutMs;
    while (!done(this.#read())) {
      if (signal.aborted || performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
    return true;
  }

  /** The counters now and the newest model loaded, to say what a wait that ended early missed. */
  describe(): string {
    return JSON.stringify({ ...this.#read(), modelLoaded: this.#loaded });
  }
}

function dataDone(c: LockstepCounters, covered: number): boolean {
  return c.collected >= covered && c.newestAssembled >= c.newestAnnounced;
}
