/**
 * A small seeded pseudo-random generator (mulberry32), so a chaos run's fault plan is the same
 * for the same seed.
 *
 * @module
 */

/** A generator of numbers in [0, 1) determined by `seed`. */
export function seededRandom(seed: number): () => number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be an integer: current value is ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One element of a non-empty list, chosen by `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("items must not be empty");
  return items[Math.floor(random() * items.length)];
}
