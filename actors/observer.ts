/**
 * The observer: reads the engine's metrics reports and, by its retrain policy (trend, difference,
 * Page-Hinkley, each with a minimum-score rule and the validation-gap rule), asks the optimiser to
 * retrain or re-optimise; each decision, with its reason, is kept in its view.
 * Its state (the policy's window, reference and detector) is kept in the state store after each
 * batch of reports, so an observer in a new process goes on where the last one stopped. The
 * metrics topic has one partition: the observer that reads it adopts the stored state before
 * its first report, and a write after another observer's is refused (it restarts and reloads).
 * With `engine.reportBy: partition` it builds the series itself: it merges the input partitions'
 * window counts (`observer/window_merge.ts`) and judges each merged window once; the merge's
 * state, with each window's decision, is saved before the records' offsets are committed and
 * before the window's instruction and metrics report go out (again, by a successor, if it may
 * not have sent them), so a restart neither loses nor judges twice a window.
 *
 * @module
 */

import type { Envelope, Instruction } from "../protocol/messages.ts";
import type { MetricsReport } from "../core/metrics_report.ts";
import { scoresOf } from "../models/scoring.ts";
import { createObserverPolicy } from "../config/build_policies.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { receive, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import {
  type ObserverSnapshot,
  ObserverState,
  type ObserverView,
} from "./observer/observer_state.ts";
import { type DurableState, durableState } from "./durable_state.ts";
import type { MergedWindow } from "./observer/window_merge.ts";
import { inputLag } from "./engine/input_lag.ts";
import { instructionOf } from "./observer/instruction.ts";

/** Where the observer keeps its state. */
const STATE_KEY = { role: "observer", name: "policy" };

/** The observer role. */
export class Observer implements Behaviour {
  readonly #env: RoleEnvironment;
  #state: ObserverState;
  #durable: DurableState<ObserverSnapshot> | undefined;
  /** Settles once the stored state was adopted (before the first report is handled). */
  #adopted: Promise<void> | undefined;
  /** Merging: the work on the merge so far (records and idle checks take turns). */
  #turns: Promise<void> = Promise.resolve();
  #idleTimer: ReturnType<typeof setInterval> | undefined;
  /** Merging: wall time of the last report published, for its events per second. */
  #lastPublished = performance.now();

  /** `previous` is the snapshot a restarted observer's predecessor left. */
  constructor(env: RoleEnvironment, previous?: unknown) {
    this.#env = env;
    const policy = createObserverPolicy(env.config.observer);
    this.#state = previous === undefined
      ? new ObserverState(policy)
      : ObserverState.restore(previous, policy);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot();
  }

  /** What the observer reports (reports read, instructions sent). */
  view(): Readonly<ObserverView> {
    return this.#state.view();
  }

  /**
   * Consumes the metrics series in order (or, with `engine.reportBy: partition`, merges it from
   * the partitions' window counts) and sends each decision as an instruction.
   */
  async start(context: ActorContext): Promise<void> {
    if (this.#env.config.engine.reportBy === "partition") return await this.#merging(context);
    const { topics } = this.#env;
    await receive(context, {
      topic: topics.metrics,
      group: "observer",
      type: "MetricsReport",
      deadLetterTopic: topics.deadLetters,
      handler: async (messages) => {
        await (this.#adopted ??= this.#adopt(context));
        for (const { payload: report, id } of messages) {
          const instruction = this.#judge(context, report);
          if (instruction !== null) await this.#instruct(context, instruction, id);
        }
        this.#durable!.save(this.#state.snapshot());
      },
    });
  }

  /** Judges one report of the series; the instruction it decided on, if any, to be sent. */
  #judge(context: ActorContext, report: MetricsReport): Instruction | null {
    this.#state.reportsSeen++;
    const decision = this.#state.policy.observe(report);
    if (decision === null) return null;
    const instruction = instructionOf(decision, report);
    this.#state.instructions.push(
      Object.freeze({ ...instruction, streamTime: report.streamTimeEnd }),
    );
    context.logger.info("report {reportId} (MCC {mcc}): {action} because {reason}", {
      reportId: report.reportId,
      mcc: report.batch.mcc.toFixed(3),
      ...decision,
    });
    return instruction;
  }

  /** Sends an instruction (answering the message `id`, if any). */
  async #instruct(context: ActorContext, instruction: Instruction, id: string | null) {
    await send(context, this.#env.topics.instructions, "Instruction", instruction, {
      correlationId: id,
    });
  }

  /**
   * Merges the partitions' window counts into the series: takes each batch of records, merges
   * the windows now due, judges them, saves (before the records' offsets are committed), then
   * publishes them as metrics reports. A timer merges the windows silent partitions hold up.
   */
  async #merging(context: ActorContext): Promise<void> {
    const { topics, config } = this.#env;
    const partitions = await context.partitions(topics.input);
    const idleMs = config.observer.mergeIdleMs;
    await receive(context, {
      topic: topics.windowCounts,
      group: "observer.windows",
      type: "WindowCounts",
      deadLetterTopic: topics.deadLetters,
      handler: (messages) =>
        this.#turn(async () => {
          await (this.#adopted ??= this.#adopt(context));
          this.#take(context, messages);
          await this.#mergeDue(context, partitions, idleMs, true);
        }),
    });
    this.#idleTimer = setInterval(() => {
      if (this.#adopted === undefined || this.#state.merge.pendingWindows === 0) return;
      this.#turn(() => this.#mergeDue(context, partitions, idleMs, false))
        .catch((error) => context.fail(error));
    }, Math.min(1_000, idleMs));
  }

  /** Runs `work` after the merge work before it. */
  #turn(work: () => Promise<void>): Promise<void> {
    const turn = this.#turns.then(work);
    this.#turns = turn.catch(() => {});
    return turn;
  }

  /** Takes records into the merge (a fleet's records of model "" say only how far). */
  #take(context: ActorContext, messages: Envelope<"WindowCounts">[]): void {
    for (const { payload, model } of messages) {
      const taken = this.#state.merge.take(payload, { counts: model !== "", now: Date.now() });
      if (taken === "late") {
        context.logger.warn(
          "window {start} of input partition {partition} came after the window was merged " +
            "without it (counted idle): its {events} events are not in the series",
          { start: payload.windowStart, partition: payload.partition, events: payload.events },
        );
      }
    }
  }

  /**
   * Merges and judges the windows due, then saves when anything changed (`taken`: records were
   * taken) and waits for the save, so what was taken and decided survives a kill; only then
   * publishes the windows' instructions and reports.
   */
  async #mergeDue(
    context: ActorContext,
    partitions: number,
    idleMs: number,
    taken: boolean,
  ): Promise<void> {
    const merge = this.#state.merge;
    const { merged, idled } = merge.due(partitions, Date.now(), idleMs);
    for (const { windowStart, partitions: silent } of idled) {
      context.logger.warn(
        "window {windowStart}: input partition(s) {silent} said nothing for {idleMs} ms " +
          "(observer.mergeIdleMs) while others moved past it; merged without them, counted " +
          "idle until they report again",
        { windowStart, silent: silent.join(", "), idleMs },
      );
    }
    for (const window of merged) {
      const instruction = this.#judge(context, reportOf(window, 0, -1));
      if (instruction !== null) {
        const { action, reason, since } = instruction;
        merge.decided(
          window.reportId,
          since == null ? { action, reason } : { action, reason, since },
        );
      }
    }
    if (!taken && merged.length === 0 && idled.length === 0) return;
    this.#durable!.save(this.#state.snapshot());
    await this.#durable!.flush();
    await this.#publish(context);
  }

  /**
   * Publishes the merged windows not yet published: each one's instruction, if judging it decided
   * one, and its metrics report.
   */
  async #publish(context: ActorContext): Promise<void> {
    const windows = this.#state.merge.unpublished;
    if (windows.length === 0) return;
    const lag = await inputLag(context, this.#env.topics.input);
    for (const window of windows) {
      const now = performance.now();
      const perSecond = window.events / Math.max(1e-9, (now - this.#lastPublished) / 1_000);
      this.#lastPublished = now;
      const report = reportOf(window, perSecond, lag);
      if (window.decision !== null) {
        await this.#instruct(context, instructionOf(window.decision, report), null);
      }
      await send(context, this.#env.topics.metrics, "MetricsReport", report);
    }
    this.#state.merge.published(windows[windows.length - 1].reportId);
    this.#durable!.save(this.#state.snapshot());
  }

  /**
   * Adopts the stored state. It wins over a snapshot handed over in this process: a predecessor
   * flushes its saves when it stops, so the stored one is as new, or newer when an observer in
   * another process wrote it since.
   */
  async #adopt(context: ActorContext): Promise<void> {
    const policy = () => createObserverPolicy(this.#env.config.observer);
    this.#durable = durableState(this.#env, context, STATE_KEY, {
      parse: (value) => ObserverState.restore(value, policy()).snapshot(),
    });
    const stored = await this.#durable.load();
    if (stored !== undefined) {
      this.#state = ObserverState.restore(stored, policy());
      context.logger.info("adopting the stored observer state after {reports} reports", {
        reports: stored.reportsSeen,
      });
    }
    // Merged windows a predecessor judged but may not have published.
    if (this.#env.config.engine.reportBy === "partition") await this.#publish(context);
  }

  /** Writes what is still to be saved before a successor adopts it. */
  async postStop(): Promise<void> {
    clearInterval(this.#idleTimer);
    await this.#turns;
    // A save that failed was reported when it failed.
    await this.#durable?.flush().catch(() => {});
  }
}

/** The metrics report of a merged window. */
function reportOf(window: MergedWindow, eventsPerSecond: number, lag: number): MetricsReport {
  const { tp, tn, fp, fn, cumulative } = window;
  return {
    reportId: window.reportId,
    streamTimeStart: window.start,
    streamTimeEnd: window.end,
    batch: scoresOf({ tp, tn, fp, fn }),
    cumulative: scoresOf(cumulative),
    eventsInBatch: window.events,
    eventsProcessed: cumulative.events,
    eventsPerSecond,
    lag,
    modelVersion: window.modelVersion,
    creationMethod: window.creationMethod,
    modelValidationMcc: window.modelValidationMcc,
  };
}
