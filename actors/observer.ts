/**
 * The observer: reads the engine's metrics reports and, by its retrain policy (trend, difference,
 * Page-Hinkley, each with a minimum-score rule), asks the optimiser to retrain or re-optimise.
 *
 * @module
 */

import type { Instruction } from "../protocol/messages.ts";
import { createRetrainPolicy } from "../config/build_policies.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { receive, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import { ObserverState, type ObserverView } from "./observer/observer_state.ts";

/** The observer role. */
export class Observer implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #state: ObserverState;

  /** `previous` is the snapshot a restarted observer's predecessor left. */
  constructor(env: RoleEnvironment, previous?: unknown) {
    this.#env = env;
    const policy = createRetrainPolicy(env.config.observer.policy);
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
      },
    });
  }
}
