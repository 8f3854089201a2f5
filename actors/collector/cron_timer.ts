/**
 * The wall-time side of a retrain schedule: a timer set for the next cron occurrence, which fires
 * the tick and sets itself again. An occurrence that passed while no collector led (the state's
 * last fired occurrence is older) fires once at start, however many were missed. Long waits are
 * cut into steps the runtime's timers can hold (about 24.8 days at most).
 *
 * @module
 */

import {
  cronTick,
  latestCronMs,
  nextCronMs,
  type RetrainSchedule,
  type ScheduleState,
  type Tick,
} from "../../policies/retrain/retrain_schedule.ts";

/** Longest delay one timer is set for: setTimeout's limit. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Fires a cron schedule's ticks on wall time until stopped. */
export class CronTimer {
  readonly #schedule: RetrainSchedule & { cron: string };
  readonly #state: ScheduleState;
  readonly #fire: (tick: Tick) => Promise<void>;
  readonly #streamTime: () => number;
  readonly #onError: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * `state` is the schedule's durable state (updated as ticks fire); `streamTime` the newest
   * stream time seen, where a tick's window ends; `fire` sends the tick's retrain, and a fire
   * that fails is handed to `onError` (the role then fails and restarts) and stops the timer.
   */
  constructor(options: {
    schedule: RetrainSchedule & { cron: string };
    state: ScheduleState;
    streamTime: () => number;
    fire: (tick: Tick) => Promise<void>;
    onError: (error: unknown) => void;
  }) {
    this.#schedule = options.schedule;
    this.#state = options.state;
    this.#streamTime = options.streamTime;
    this.#fire = options.fire;
    this.#onError = options.onError;
  }

  /** Fires a missed occurrence now, then waits for the next one. */
  async start(): Promise<void> {
    const now = Date.now();
    if (this.#state.lastCronMs !== null) {
      const missed = latestCronMs(this.#schedule.cron, this.#state.lastCronMs, now);
      if (missed !== null) await this.#tick(missed);
    } else {
      // The first start counts from now: occurrences before the schedule existed are not owed.
      this.#state.lastCronMs = now;
    }
    this.#arm();
  }

  /** Clears the timer; no tick fires after. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    if (this.#stopped) return;
    const next = nextCronMs(this.#schedule.cron, this.#state, Date.now());
    if (next === null) return;
    const wait = Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      if (Date.now() < next) return this.#arm();
      this.#tick(next).then(() => this.#arm(), (error) => {
        this.stop();
        this.#onError(error);
      });
    }, wait);
  }

  async #tick(occurrence: number): Promise<void> {
    if (this.#stopped) return;
    await this.#fire(cronTick(this.#schedule, this.#state, occurrence, this.#streamTime()));
  }
}
