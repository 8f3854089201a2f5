import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { CronTimer } from "../../../actors/collector/cron_timer.ts";
import {
  initialScheduleState,
  type RetrainSchedule,
  type ScheduleState,
  type Tick,
} from "../../../policies/retrain/retrain_schedule.ts";

const HOUR = 3_600_000;
/** Mondays at 03:00 UTC. */
const SCHEDULE: RetrainSchedule & { cron: string } = { cron: "0 3 * * 1", windowMs: 24 * HOUR };
/** Monday 2026-01-05 00:00 UTC. */
const MONDAY = Date.UTC(2026, 0, 5);

/** A cron timer over `state` under fake time; the ticks it fires and the wall time of each. */
function timer(state: ScheduleState) {
  const fired: { tick: Tick; at: number }[] = [];
  const cron = new CronTimer({
    schedule: SCHEDULE,
    state,
    streamTime: () => 42,
    fire: (tick) => {
      fired.push({ tick, at: Date.now() });
      return Promise.resolve();
    },
    onError: (error) => assert.fail(`unexpected error ${error}`),
  });
  return { cron, fired };
}

Deno.test("a cron schedule fires at each occurrence on wall time, once", async () => {
  const clock = FakeTimers.install({ now: MONDAY, toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const { cron, fired } = timer(initialScheduleState());
    await cron.start();
    await clock.tickAsync(3 * 7 * 24 * HOUR);
    cron.stop();
    assert.deepEqual(fired.map((f) => new Date(f.at).toISOString()), [
      "2026-01-05T03:00:00.000Z",
      "2026-01-12T03:00:00.000Z",
      "2026-01-19T03:00:00.000Z",
    ]);
    assert.deepEqual(
      fired.map((f) => f.tick),
      [1, 2, 3].map((tick) => ({
        tick,
        streamTime: 42,
        fullHistory: false,
      })),
    );
  } finally {
    clock.uninstall();
  }
});

Deno.test("after a restart a cron schedule fires a missed occurrence once, and none twice", async () => {
  const clock = FakeTimers.install({ now: MONDAY, toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const state = initialScheduleState();
    const first = timer(state);
    await first.cron.start();
    await clock.tickAsync(4 * HOUR);
    first.cron.stop();
    assert.equal(first.fired.length, 1);
    // Down for two weeks and a day: two occurrences passed, one is fired at start.
    const stored: ScheduleState = JSON.parse(JSON.stringify(state));
    await clock.tickAsync(15 * 24 * HOUR);
    const second = timer(stored);
    await second.cron.start();
    assert.deepEqual(second.fired.map((f) => f.tick.tick), [2]);
    assert.equal(stored.lastCronMs, Date.UTC(2026, 0, 19, 3));
    await clock.tickAsync(7 * 24 * HOUR);
    second.cron.stop();
    assert.deepEqual(second.fired.map((f) => new Date(f.at).toISOString()), [
      "2026-01-20T04:00:00.000Z",
      "2026-01-26T03:00:00.000Z",
    ]);
    // A restart right after a tick fires nothing at start.
    const third = timer(JSON.parse(JSON.stringify(stored)));
    await third.cron.start();
    third.cron.stop();
    assert.deepEqual(third.fired, []);
  } finally {
    clock.uninstall();
  }
});
