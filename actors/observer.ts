/**
 * The observer: reads the engine's metrics reports and, by its retrain policy (trend, difference,
 * Page-Hinkley, each with a minimum-score rule and the validation-gap rule), asks the optimiser to
 * retrain or re-optimise; each decision, with its reason, is kept in its view.
 * Its state (the policy's window, reference and detector) is kept in the state store after each
 * batch of reports, so an observer in a new process goes on where the last one stopped. The
 * metrics topic has one partition: the observer that reads it adopts the stored state before
 * its first report, and a write after another observer's is refused (it restarts and reloads).
 *
 * @module
 */

import type { Instruction } from "../protocol/messages.ts";
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

/** Where the observer keeps its state. */
const STATE_KEY = { role: "observer", name: "policy" };

/** The observer role. */
export class Observer implements Behaviour {
  readonly #env: RoleEnvironment;
  #state: ObserverState;
  #durable: DurableState<ObserverSnapshot> | undefined;
  /** Settles once the stored state was adopted (before the first report is handled). */
  #adopted: Promise<void> | undefined;

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

  /** Consumes the metrics series in order and sends each decision as an instruction. */
  async start(context: ActorContext): Promise<void> {
    const { topics } = this.#env;
    await receive(context, {
      topic: topics.metrics,
      group: "observer",
      type: "MetricsReport",
      deadLetterTopic: topics.deadLetters,
      handler: async (messages) => {
        await (this.#adopted ??= this.#adopt(context));
        for (const { payload: report, id } of messages) {
          this.#state.reportsSeen++;
          const decision = this.#state.policy.observe(report);
          if (decision === null) continue;
          const instruction: Instruction = { ...decision, reportId: report.reportId };
          this.#state.instructions.push(
            Object.freeze({ ...instruction, streamTime: report.streamTimeEnd }),
          );
          context.logger.info("report {reportId} (MCC {mcc}): {action} because {reason}", {
            reportId: report.reportId,
            mcc: report.batch.mcc.toFixed(3),
            ...decision,
          });
          await send(context, topics.instructions, "Instruction", instruction, {
            correlationId: id,
          });
        }
        this.#durable!.save(this.#state.snapshot());
      },
    });
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
    if (stored === undefined) return;
    this.#state = ObserverState.restore(stored, policy());
    context.logger.info("adopting the stored observer state after {reports} reports", {
      reports: stored.reportsSeen,
    });
  }

  /** Writes what is still to be saved before a successor adopts it. */
  async postStop(): Promise<void> {
    // A save that failed was reported when it failed.
    await this.#durable?.flush().catch(() => {});
  }
}
