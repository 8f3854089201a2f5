/**
 * One input partition's open window on the absolute stream-time grid [k * period, (k + 1) *
 * period) of epoch time, the same grid for every engine. A window closes before the partition's
 * first event past its end, so what a window holds depends on the partition's records alone: not
 * on which engine reads them, how they were batched or when they arrived. An event earlier than
 * the open window stays in it.
 *
 * @module
 */

/** A window a partition closed, and where its next open window starts. */
export interface ClosedWindow {
  start: number;
  end: number;
  /** Start of the next open window: every window before it is closed (skipped ones are empty). */
  closedUntil: number;
}

/** A partition's open window on the grid of `periodMs`. */
export class GridWindow {
  readonly #periodMs: number;
  #start: number | null;

  /** The grid of `periodMs` ms (an integer >= 1), open at `start` (null: before any event). */
  constructor(periodMs: number, start: number | null = null) {
    if (!Number.isSafeInteger(periodMs) || periodMs < 1) {
      throw new RangeError(`periodMs must be an integer >= 1: current value is ${periodMs}`);
    }
    if (start !== null && (!Number.isSafeInteger(start) || start % periodMs !== 0)) {
      throw new RangeError(
        `start must be a multiple of periodMs (${periodMs}) or null: current value is ${start}`,
      );
    }
    this.#periodMs = periodMs;
    this.#start = start;
  }

  /** Start of the open window; null before the first event. */
  get start(): number | null {
    return this.#start;
  }

  /** Moves to the window holding `timestamp`; the window that closed, if one did. */
  enter(timestamp: number): ClosedWindow | null {
    const start = Math.floor(timestamp / this.#periodMs) * this.#periodMs;
    if (this.#start === null) {
      this.#start = start;
      return null;
    }
    if (start <= this.#start) return null;
    const closed = { start: this.#start, end: this.#start + this.#periodMs, closedUntil: start };
    this.#start = start;
    return closed;
  }
}
