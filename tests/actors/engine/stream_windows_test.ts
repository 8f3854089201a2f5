import assert from "node:assert/strict";
import { StreamTimeWindows } from "../../../actors/engine/stream_windows.ts";

/** Which of `timestamps` close the open window before them. */
function closing(periodMs: number, timestamps: number[]): number[] {
  const windows = new StreamTimeWindows(periodMs);
  return timestamps.filter((t) => windows.enter(t));
}

Deno.test("windows lie on a grid from the first event: the first event past a window's end closes it", () => {
  assert.deepEqual(closing(10, [5, 9, 14, 15, 24, 25, 26]), [15, 25]);
});

Deno.test("empty windows are skipped and a late event stays in the open window", () => {
  assert.deepEqual(closing(10, [0, 3, 47, 45, 49, 50]), [47, 50]);
});

Deno.test("how the stream is split into batches changes no window", () => {
  const stream = Array.from({ length: 200 }, (_, i) => i * 7 + (i % 3));
  const whole = closing(60, stream);
  const windows = new StreamTimeWindows(60);
  const split: number[] = [];
  for (let from = 0; from < stream.length; from += 13) {
    for (const t of stream.slice(from, from + 13)) if (windows.enter(t)) split.push(t);
  }
  assert.deepEqual(split, whole);
});

Deno.test("a bad period is refused naming it", () => {
  assert.throws(
    () => new StreamTimeWindows(0),
    /periodMs must be an integer >= 1: current value is 0/,
  );
});
