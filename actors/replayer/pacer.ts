/**
 * Paces the replayer: as fast as possible, a fixed number of events per second, or stream time
 * replayed `value` times faster than it was recorded. The pacer never sleeps per event: callers
 * ask after each batch how long to wait so that the batch's end is on schedule, and ask before
 * adding an event whether the batch already holds a slice's worth, so a paced replay arrives in
 * small steps rather than in lumps of a whole batch.
 *
 * @module
 */

/** How fast to replay. */
export type Rate =
  | { kind: "max" }
  | { kind: "events_per_second"; value: number }
  | { kind: "speedup"; value: number };

/** Computes how long to wait so the replay keeps to its rate. */
export class Pacer {
  readonly #rate: Rate;
  readonly #sliceMs: number;
  readonly #now: () => number;
  #startedAt: number | null = null;
  #firstStreamTime: number | null = null;
  #sent = 0;

  /**
   * Validates the rate and `sliceMs`, the wall time a paced batch may cover at most (at 100
   * events/s and 50 ms, 5 events); `now` is injectable for tests.
   */
  constructor(rate: Rate, sliceMs: number, now: () => number = performance.now.bind(performance)) {
    if (!(sliceMs > 0 && Number.isFinite(sliceMs))) {
      throw new RangeError(`sliceMs must be a positive number: current value is ${sliceMs}`);
    }
    if (rate.kind !== "max" && !(rate.value > 0 && Number.isFinite(rate.value))) {
      throw new RangeError(
        `replay rate value must be a positive number: current value is ${rate.value}`,
      );
    }
    this.#rate = rate;
    this.#sliceMs = sliceMs;
    this.#now = now;
  }

  /**
   * Whether a batch of `events` events spanning `streamSpanMs` of stream time already covers a
   * slice of the rate (never for `max`: that replays in whole batches).
   */
  sliceFull(events: number, streamSpanMs: number): boolean {
    switch (this.#rate.kind) {
      case "max":
        return false;
      case "events_per_second":
        return events >= Math.max(1, (this.#rate.value * this.#sliceMs) / 1000);
      case "speedup":
        return streamSpanMs >= this.#rate.value * this.#sliceMs;
    }
  }

  /** Records that events up to `streamTime` were sent; returns the ms to wait before the next. */
  advance(events: number, streamTime: number): number {
    const now = this.#now();
    this.#startedAt ??= now;
    this.#firstStreamTime ??= streamTime;
    this.#sent += events;
    const elapsed = now - this.#startedAt;
    switch (this.#rate.kind) {
      case "max":
        return 0;
      case "events_per_second":
        return Math.max(0, (this.#sent / this.#rate.value) * 1000 - elapsed);
      case "speedup":
        return Math.max(0, (streamTime - this.#firstStreamTime) / this.#rate.value - elapsed);
    }
  }
}
