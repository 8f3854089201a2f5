/**
 * The instruction an observer decision makes.
 *
 * @module
 */

import type { Instruction } from "../../protocol/messages.ts";

/**
 * The instruction a decision on report `reportId` makes. An optimisation is asked to test its
 * candidates on the data since the fall the decision names began (`decision.since`), else since
 * the judged window began (`windowStart`): the score fell there, so that is the regime the next
 * model must serve.
 */
export function instructionOf(
  decision: Pick<Instruction, "action" | "reason"> & { since?: number },
  reportId: number,
  windowStart: number,
): Instruction {
  const { action, reason } = decision;
  return action === "optimise"
    ? { action, reason, reportId, since: decision.since ?? windowStart }
    : { action, reason, reportId };
}
