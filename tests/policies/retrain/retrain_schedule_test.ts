import assert from "node:assert/strict";
import {
  initialScheduleState,
  type RetrainSchedule,
  type ScheduleState,
  streamTick,
  type Tick,
} from "../../../policies/retrain/retrain_schedule.ts";

const DAY = 86_400_000;
const WEEKLY: RetrainSchedule = { everyMs: 7 * DAY, windowMs: 120 * DAY, fullHistoryEvery: 4 };

/** The ticks an event stream sets off, one event every `stepMs` from `start` to `end`. */
function ticksOver(state: ScheduleState, start: number, end: number, stepMs: number): Tick[] {
  const ticks: Tick[] = [];
  for (let t = start; t < end; t += stepMs) {
    const tick = streamTick(WEEKLY, state, t);
    if (tick !== null) ticks.push(tick);
  }
  return ticks;
}

Deno.test("a stream-time schedule fires once per period, on a grid anchored at the first event", () => {
  const state = initialScheduleState();
  const start = 1_000 * DAY + 12_345;
  const ticks = ticksOver(state, start, start + 70 * DAY, 3_600_000);
  assert.deepEqual(ticks.map((t) => t.tick), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(ticks.map((t) => t.streamTime), ticks.map((t) => start + t.tick * 7 * DAY));
  assert.deepEqual(ticks.filter((t) => t.fullHistory).map((t) => t.tick), [4, 8]);
  // The same events again (a batch delivered twice) fire nothing.
  assert.deepEqual(ticksOver(state, start, start + 70 * DAY, 3_600_000), []);
});

Deno.test("a restart in the middle fires no tick twice and misses none", () => {
  const start = 5 * DAY;
  const straight = ticksOver(initialScheduleState(), start, start + 50 * DAY, 1_800_000);
  for (const cut of [3 * DAY, 7 * DAY, 7 * DAY + 1_800_000, 31 * DAY]) {
    const first = initialScheduleState();
    const before = ticksOver(first, start, start + cut, 1_800_000);
    // What the role stored, read back by its successor (JSON, as the state store keeps it).
    const restored: ScheduleState = JSON.parse(JSON.stringify(first));
    const after = ticksOver(restored, start + cut, start + 50 * DAY, 1_800_000);
    assert.deepEqual([...before, ...after], straight, `restart ${cut / DAY} days in`);
  }
});

Deno.test("a stream that jumps over several periods fires the newest tick only", () => {
  const state = initialScheduleState();
  assert.equal(streamTick(WEEKLY, state, 0), null);
  const tick = streamTick(WEEKLY, state, 30 * DAY);
  assert.deepEqual(tick, { tick: 4, streamTime: 28 * DAY, fullHistory: true });
  assert.equal(streamTick(WEEKLY, state, 34 * DAY), null);
  assert.equal(streamTick(WEEKLY, state, 35 * DAY)?.tick, 5);
});

Deno.test("a cron schedule has no stream-time ticks; a bad stream time is refused", () => {
  const cron: RetrainSchedule = { cron: "0 3 * * 1", windowMs: DAY };
  assert.equal(streamTick(cron, initialScheduleState(), 10 * DAY), null);
  assert.throws(
    () => streamTick(WEEKLY, initialScheduleState(), NaN),
    /streamTime must be a finite number: current value is NaN/,
  );
});
