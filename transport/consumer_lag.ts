/**
 * A consumer group's lag, as the broker sees it: per partition, the log end against the offset
 * the group committed. The engine's metrics reports, `/metrics` and the dashboard read it.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

/** How far one group trails one partition of a topic. */
export interface PartitionLag {
  topic: string;
  group: string;
  partition: number;
  /** Next offset to be written. */
  end: number;
  /** Next offset the group will read; -1 where it committed none. */
  committed: number;
  /** Records written but not yet committed by the group. */
  lag: number;
}

/** The lag of `group` on every partition of `topic`. */
export async function consumerLag(
  transport: Pick<Transport, "endOffsets" | "committedOffsets">,
  group: string,
  topic: string,
): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([
    transport.endOffsets(topic),
    transport.committedOffsets(group, topic),
  ]);
  return ends.map((end, partition) => {
    const at = committed[partition] ?? -1;
    // A group that committed nothing has everything still to read.
    return { topic, group, partition, end, committed: at, lag: Math.max(0, end - Math.max(at, 0)) };
  });
}

/** The sum of the lags. */
export function totalLag(lags: readonly PartitionLag[]): number {
  return lags.reduce((sum, { lag }) => sum + lag, 0);
}
