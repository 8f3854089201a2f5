import assert from "node:assert/strict";
import {
  argmaxInterval,
  type Interval,
  probabilityWithin,
  shortestInterval,
} from "../../../../models/cef/forecast/interval.ts";
import { Random } from "../../../../policies/search/random.ts";

/**
 * Every interval, summed directly: shortest, then most probable, then earliest (sums within
 * 1e-12 count as equal, as in the search).
 */
function exhaustive(distribution: number[], threshold: number): Interval | null {
  let best: Interval | null = null;
  for (let start = 1; start <= distribution.length; start++) {
    for (let end = start; end <= distribution.length; end++) {
      let probability = 0;
      for (let n = start; n <= end; n++) probability += distribution[n - 1];
      if (!(probability >= threshold - 1e-12 && probability > 0)) continue;
      const shorter = best === null || end - start < best.end - best.start;
      const tie = best !== null && end - start === best.end - best.start;
      if (shorter || (tie && probability > best!.probability + 1e-12)) {
        best = { start, end, probability };
      }
    }
  }
  return best;
}

Deno.test("the interval search equals an exhaustive search on random distributions", () => {
  const random = new Random(2024);
  let found = 0;
  for (let trial = 0; trial < 2_000; trial++) {
    const horizon = 1 + random.below(30);
    const raw = Array.from({ length: horizon }, () => (random.next() < 0.3 ? 0 : random.next()));
    const total = raw.reduce((a, b) => a + b, 0);
    const mass = random.next();
    const distribution = raw.map((p) => (total === 0 ? 0 : (p / total) * mass));
    const threshold = trial % 10 === 0 ? 0 : random.next();
    const fast = shortestInterval(distribution, threshold);
    const slow = exhaustive(distribution, threshold);
    if (slow === null) {
      assert.equal(fast, null, `trial ${trial}`);
      continue;
    }
    found++;
    assert.ok(fast !== null, `trial ${trial}`);
    assert.deepEqual([fast.start, fast.end], [slow.start, slow.end], `trial ${trial}`);
    assert.ok(Math.abs(fast.probability - slow.probability) < 1e-12);
  }
  assert.ok(found > 500, "enough trials had an interval");
});

Deno.test("ties in length go to the higher probability, then to the earlier start", () => {
  assert.deepEqual(shortestInterval([0.1, 0.3, 0.1, 0.35, 0.1], 0.3), {
    start: 4,
    end: 4,
    probability: 0.35,
  });
  assert.deepEqual(shortestInterval([0.2, 0.2, 0.2, 0.2], 0.4)?.start, 1);
});

Deno.test("no interval when the threshold is out of reach or nothing can match", () => {
  assert.equal(shortestInterval([0.1, 0.2], 0.5), null);
  assert.equal(shortestInterval([0, 0, 0], 0), null);
  assert.deepEqual(shortestInterval([0, 0.1, 0.4], 0), { start: 3, end: 3, probability: 0.4 });
  assert.throws(
    () => shortestInterval([0.5], 1.5),
    /threshold must be in \[0, 1\]: current value is 1.5/,
  );
});

Deno.test("probability within k events sums the first k entries", () => {
  assert.equal(probabilityWithin([0.25, 0.25, 0.5], 2), 0.5);
  assert.equal(probabilityWithin([0.25, 0.25], 5), 0.5);
});

Deno.test("argmax intervals grow around the most likely point, both sides at once", () => {
  const distribution = [0.05, 0.1, 0.15, 0.3, 0.1, 0.1, 0.05];
  assert.deepEqual(argmaxInterval(distribution, 0.3), { start: 4, end: 4, probability: 0.3 });
  const grown = argmaxInterval(distribution, 0.5)!;
  assert.deepEqual([grown.start, grown.end], [3, 5]);
  assert.ok(Math.abs(grown.probability - 0.55) < 1e-12);
  // Clamped at the first event, it keeps growing on the other side.
  const early = argmaxInterval([0.4, 0.1, 0.1, 0.1, 0.3], 0.65)!;
  assert.deepEqual([early.start, early.end], [1, 4]);
  assert.equal(argmaxInterval([0.1, 0.1], 0.5), null);
  assert.throws(() => argmaxInterval([0.1], 2), {
    message: "threshold must be in [0, 1]: current value is 2",
  });
});
