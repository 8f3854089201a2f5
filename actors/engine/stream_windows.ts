/**
 * Report windows on a grid of stream time: [origin + k * period, origin + (k + 1) * period), the
 * origin being the first event's timestamp. A window closes before the first event past its end,
 * so which events a report covers depends on the stream alone, never on how the input was
 * batched or when it arrived; windows no event falls in are skipped.
 *
 * @module
 */

/** Cuts the stream into windows of `periodMs` of stream time. */
export class StreamTimeWindows {
  readonly #periodMs: number;
  /** End of the open window (exclusive), null before the first event. */
  #end: number | null = null;

  /** Windows of `periodMs` ms, an integer >= 1. */
  constructor(periodMs: number) {
    if (!Number.isSafeInteger(periodMs) || periodMs < 1) {
      throw new RangeError(`periodMs must be an integer >= 1: current value is ${periodMs}`);
    }
    this.#periodMs = periodMs;
  }

  /**
   * Moves to the window holding `timestamp`; true when that closed the open window, whose report
   * is then due before the event. An event earlier than the open window stays in it.
   */
  enter(timestamp: number): boolean {
    if (this.#end === null) {
      this.#end = timestamp + this.#periodMs;
      return false;
    }
    if (timestamp < this.#end) return false;
    this.#end += (Math.floor((timestamp - this.#end) / this.#periodMs) + 1) * this.#periodMs;
    return true;
  }
}
