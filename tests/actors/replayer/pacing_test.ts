import assert from "node:assert/strict";
import type { StreamEvent } from "../../../core/events.ts";
import { Pacer } from "../../../actors/replayer/pacer.ts";
import { MONTH_MS, rotateByMonths } from "../../../actors/replayer/rotation.ts";
import { formatDuration, renderProgress } from "../../../actors/replayer/progress.ts";

const SLICE_MS = 50;

Deno.test("events_per_second pacing waits until the batch is on schedule", () => {
  let now = 0;
  const pacer = new Pacer({ kind: "events_per_second", value: 1000 }, SLICE_MS, () => now);
  assert.equal(pacer.advance(100, 0), 100);
  now = 60;
  assert.equal(pacer.advance(100, 0), 140);
  now = 500;
  assert.equal(pacer.advance(100, 0), 0, "behind schedule: no wait");
});

Deno.test("speedup pacing follows stream time divided by the speed-up", () => {
  let now = 0;
  const pacer = new Pacer({ kind: "speedup", value: 60 }, SLICE_MS, () => now);
  assert.equal(pacer.advance(1, 1_000_000), 0);
  now = 100;
  assert.equal(pacer.advance(1, 1_000_000 + 60_000), 900, "one stream minute = one wall second");
});

Deno.test("max pacing never waits and bad rates are rejected", () => {
  const pacer = new Pacer({ kind: "max" }, SLICE_MS);
  assert.equal(pacer.advance(1_000_000, 1e12), 0);
  assert.throws(
    () => new Pacer({ kind: "events_per_second", value: 0 }, SLICE_MS),
    /must be a positive number: current value is 0/,
  );
  assert.throws(
    () => new Pacer({ kind: "max" }, 0),
    /sliceMs must be a positive number: current value is 0/,
  );
});

Deno.test("a paced batch holds one slice of the rate; an unpaced one is never cut", () => {
  const perSecond = new Pacer({ kind: "events_per_second", value: 4000 }, SLICE_MS);
  assert.equal(4000 * SLICE_MS / 1000, 200);
  assert.equal(perSecond.sliceFull(199, 0), false);
  assert.equal(perSecond.sliceFull(200, 0), true);
  assert.equal(
    new Pacer({ kind: "events_per_second", value: 1 }, SLICE_MS).sliceFull(1, 0),
    true,
    "a slow rate sends events one by one",
  );
  const speedup = new Pacer({ kind: "speedup", value: 60 }, SLICE_MS);
  assert.equal(speedup.sliceFull(1_000, 60 * SLICE_MS - 1), false);
  assert.equal(speedup.sliceFull(1, 60 * SLICE_MS), true, "one event may span a whole slice");
  assert.equal(new Pacer({ kind: "max" }, SLICE_MS).sliceFull(1_000_000, 1e12), false);
});

const day = 86_400_000;
const events: StreamEvent[] = Array.from({ length: 90 }, (_, i) => ({
  key: "v",
  timestamp: i * day,
  type: "",
  attributes: { i },
}));

Deno.test("rotation starts at the month, wraps the head and keeps time increasing", () => {
  const rotated = rotateByMonths(events, 1);
  assert.equal(rotated.length, events.length);
  assert.equal(rotated[0].attributes.i, 30);
  assert.equal(rotated[60].attributes.i, 0);
  for (let i = 1; i < rotated.length; i++) {
    assert.ok(rotated[i].timestamp > rotated[i - 1].timestamp, `time increases at ${i}`);
  }
  assert.equal(rotated[60].timestamp - rotated[59].timestamp, day);
  assert.deepEqual(rotateByMonths(events, 0), events);
  assert.throws(() => rotateByMonths(events, 4), /reaches past the end/);
  assert.ok(MONTH_MS === 30 * day);
});

Deno.test("progress shows share, rate and ETA", () => {
  const line = renderProgress(250, 1000, 1000, 10);
  assert.match(line, /^\[###-{7}\] 25\.0% 250\/1000 events 250 ev\/s ETA 0:03$/);
  assert.equal(formatDuration(3725), "1:02:05");
  assert.match(renderProgress(0, 10, 0), /ETA --:--/);
});
