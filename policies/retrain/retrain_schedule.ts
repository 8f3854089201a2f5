/**
 * Retraining on a schedule, beside the observer's policies: every `everyMs` of stream time, or at
 * each occurrence of a cron expression on wall time (UTC). Each tick retrains on the last
 * `windowMs` of stream time; every `fullHistoryEvery`-th tick on all the history kept instead.
 *
 * The state is plain data the role keeps durably: stream-time ticks lie on a grid anchored at the
 * first event seen, so a role that reloads the state after a restart fires neither a tick twice
 * nor skips one; a cron occurrence missed while no role ran is fired once on start.
 *
 * @module
 */

import { Cron } from "croner";

/** When ticks fall: on stream time or on wall time. */
export type ScheduleCadence = { everyMs: number } | { cron: string };

/** A retraining schedule. */
export type RetrainSchedule = ScheduleCadence & {
  /** Stream time a tick's dataset covers, ending at the tick. */
  windowMs: number;
  /** Every n-th tick trains on all the history kept (absent: never). */
  fullHistoryEvery?: number;
};

/** What the schedule must remember across restarts. */
export interface ScheduleState {
  /** Stream time of the first event seen: stream-time ticks fall at anchor + n * everyMs. */
  anchor: number | null;
  /** Ticks fired so far. */
  ticks: number;
  /** Wall time (ms) of the last cron occurrence fired, or null. */
  lastCronMs: number | null;
}

/** One tick: its number (from 1), the stream time its window ends at, whether it is full. */
export interface Tick {
  tick: number;
  /** For a stream-time schedule, the tick's grid time; for cron, the newest stream time seen. */
  streamTime: number;
  fullHistory: boolean;
}

/** A schedule's state before anything was seen. */
export function initialScheduleState(): ScheduleState {
  return { anchor: null, ticks: 0, lastCronMs: null };
}

/**
 * The stream-time tick due when an event at `streamTime` arrives, or null; updates `state`. When
 * the stream jumps over several ticks at once, only the newest fires (an older window's data is
 * no longer the last `windowMs`), and the ones passed over count as fired.
 */
export function streamTick(
  schedule: RetrainSchedule,
  state: ScheduleState,
  streamTime: number,
): Tick | null {
  if (!("everyMs" in schedule)) return null;
  if (!Number.isFinite(streamTime)) {
    throw new RangeError(`streamTime must be a finite number: current value is ${streamTime}`);
  }
  state.anchor ??= streamTime;
  const due = Math.floor((streamTime - state.anchor) / schedule.everyMs);
  if (due <= state.ticks) return null;
  state.ticks = due;
  return {
    tick: due,
    streamTime: state.anchor + due * schedule.everyMs,
    fullHistory: isFull(schedule, due),
  };
}

/** A cron tick at wall time `nowMs` with `streamTime` the newest seen; updates `state`. */
export function cronTick(
  schedule: RetrainSchedule,
  state: ScheduleState,
  nowMs: number,
  streamTime: number,
): Tick {
  state.ticks++;
  state.lastCronMs = nowMs;
  return { tick: state.ticks, streamTime, fullHistory: isFull(schedule, state.ticks) };
}

/**
 * The wall time (ms) of the next cron occurrence to fire: after the last one fired, or after
 * `nowMs` when none was. An occurrence at or before `nowMs` was missed and is due at once.
 */
export function nextCronMs(cron: string, state: ScheduleState, nowMs: number): number | null {
  const next = cronOf(cron).nextRun(new Date(state.lastCronMs ?? nowMs));
  return next === null ? null : next.getTime();
}

/** The newest occurrence of `cron` at or before `nowMs` and after `afterMs`, or null. */
export function latestCronMs(cron: string, afterMs: number, nowMs: number): number | null {
  const job = cronOf(cron);
  let latest: number | null = null;
  for (let next = job.nextRun(new Date(afterMs)); next !== null && next.getTime() <= nowMs;) {
    latest = next.getTime();
    next = job.nextRun(next);
  }
  return latest;
}

/** Why `cron` is not a cron expression croner accepts, or null when it is one. */
export function cronProblem(cron: string): string | null {
  try {
    cronOf(cron);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function cronOf(cron: string): Cron {
  // Paused: only its occurrences are read; the role sets its own timers.
  return new Cron(cron, { paused: true, timezone: "UTC", legacyMode: true });
}

function isFull(schedule: RetrainSchedule, tick: number): boolean {
  const every = schedule.fullHistoryEvery;
  return every !== undefined && tick % every === 0;
}
