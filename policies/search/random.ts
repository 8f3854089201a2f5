/**
 * A small seeded pseudo-random generator (mulberry32) so every search run is reproducible from
 * its seed; `Math.random` is never used by the search code.
 *
 * @module
 */

/** A seeded stream of uniform and Gaussian variates. */
export class Random {
  #state: number;
  #spareGaussian: number | null = null;

  /** Starts the stream at `seed`, a safe integer (only its low 32 bits matter). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`seed must be a safe integer: current value is ${seed}`);
    }
    this.#state = seed >>> 0;
  }

  /** A uniform variate in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, count). */
  below(count: number): number {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`count must be a positive integer: current value is ${count}`);
    }
    return Math.floor(this.next() * count);
  }

  /** A standard normal variate (Box-Muller; the second variate of each pair is kept). */
  gaussian(): number {
    if (this.#spareGaussian !== null) {
      const spare = this.#spareGaussian;
      this.#spareGaussian = null;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.#spareGaussian = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** A seed for an independent child stream, drawn from this one. */
  seed(): number {
    return Math.floor(this.next() * 4294967296);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns them. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
