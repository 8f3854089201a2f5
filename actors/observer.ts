/**
 * The observer: reads the engine's metrics reports and, by its retrain policy (trend, difference,
 * Page-Hinkley, each with a minimum-score rule), asks the optimiser to retrain or re-optimise.
 *
 * @module
 */

import type { Instruction } from "../protocol/messages.ts";
import type { RetrainPolicy } from "../policies/retrain/retrain_policy.ts";
import { createRetrainPolicy } from "../config/build_policies.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { receive, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";

/** The observer's record of what it asked for, kept outside the behaviour. */
export interface ObserverStats {
  reportsSeen: number;
  instructions: (Instruction & { streamTime: number })[];
}

/** Fresh observer counters. */
export function newObserverStats(): ObserverStats {
  return { reportsSeen: 0, instructions: [] };
}

/** The observer role. */
export class Observer implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #stats: ObserverStats;
  readonly #policy: RetrainPolicy;

  /** `stats` is shared with whoever reports on the run. */
  constructor(env: RoleEnvironment, stats: ObserverStats) {
    this.#env = env;
    this.#stats = stats;
    this.#policy = createRetrainPolicy(env.config.observer.policy);
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
          this.#stats.reportsSeen++;
          const decision = this.#policy.observe(report);
          if (decision === null) continue;
          const instruction: Instruction = { ...decision, reportId: report.reportId };
          this.#stats.instructions.push({ ...instruction, streamTime: report.streamTimeEnd });
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
