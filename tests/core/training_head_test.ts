import assert from "node:assert/strict";
import { inTrainingHead, type TrainingHead } from "../../core/training_head.ts";

/** The timestamps of `stream` the head takes, read in order until the first one it refuses. */
function head(spec: TrainingHead, stream: number[]): number[] {
  const taken: number[] = [];
  for (const t of stream) {
    if (!inTrainingHead(spec, taken.length, taken[0] ?? t, t)) break;
    taken.push(t);
  }
  return taken;
}

Deno.test("a head by count takes the first n events", () => {
  assert.deepEqual(head({ events: 3 }, [5, 6, 7, 8, 9]), [5, 6, 7]);
});

Deno.test("a head by span takes the events less than the span after the first", () => {
  assert.deepEqual(head({ spanMs: 10 }, [100, 104, 109, 110, 111]), [100, 104, 109]);
});
