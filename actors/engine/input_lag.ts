/**
 * The engines' lag on the input, as a metrics report says it: input records their group has not
 * committed yet, summed over the partitions, from the broker; -1 when the broker cannot say now
 * (a report is not worth failing for).
 *
 * @module
 */

import { totalLag } from "../../transport/consumer_lag.ts";
import type { ActorContext } from "../runtime/actor.ts";

/** The consumer group the engines share the input in (the metrics read its lag). */
export const ENGINE_GROUP = "engine";

/** Longest a report waits for the broker to tell the lag before it says -1, ms. */
const LAG_DEADLINE_MS = 1_000;

/** Input records the engines' group has not committed on `inputTopic`; -1 when unknown. */
export async function inputLag(context: ActorContext, inputTopic: string): Promise<number> {
  const asked = context.consumerLag(ENGINE_GROUP, inputTopic);
  // An answer after the deadline is not wanted: its failure must not go unhandled either.
  asked.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${LAG_DEADLINE_MS} ms`)),
      LAG_DEADLINE_MS,
    );
  });
  try {
    return totalLag(await Promise.race([asked, late]));
  } catch (error) {
    context.logger.debug("input lag unknown: {reason}", {
      reason: error instanceof Error ? error.message : String(error),
    });
    return -1;
  } finally {
    clearTimeout(timer);
  }
}
