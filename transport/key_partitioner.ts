/**
 * Which partition a keyed record lands on, the same under every transport: Kafka's default
 * partitioner. Roles that batch items into one record per partition (the replayer, the engine)
 * group with it too.
 *
 * @module
 */

import type { PartitionMetadata } from "kafkajs";
// The partitioner's own module (mapped in deno.json), not the package's entry point: that one
// loads the whole client, which reads the environment (NODE_ENV) and is heavy for the replayer's
// worker.
import createDefaultPartitioner from "kafkajs-default-partitioner";
import { requirePositiveInteger } from "./checks.ts";

/** What kafkajs's partitioners are asked. */
interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: { key: string | null; value: null };
}

/**
 * Kafka's default partitioner (murmur2 of the key, round-robin for null keys), so a key lands on
 * the same partition number under either transport. Memoised because hashing through kafkajs
 * allocates a buffer per call, too slow for the event stream.
 */
export class KeyPartitioner {
  readonly #partition: (args: PartitionerArgs) => number = createDefaultPartitioner();
  readonly #memo = new Map<string, number>();
  readonly #metadata: PartitionMetadata[];

  /** A partitioner over `partitions` partitions. */
  constructor(partitions: number) {
    requirePositiveInteger("partitions", partitions);
    this.#metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
  }

  /** The partition of a record with `key`. */
  partition(key: string | null): number {
    if (key === null) return this.#hash(null);
    let partition = this.#memo.get(key);
    if (partition === undefined) {
      if (this.#memo.size >= 65_536) this.#memo.clear();
      partition = this.#hash(key);
      this.#memo.set(key, partition);
    }
    return partition;
  }

  #hash(key: string | null): number {
    return this.#partition({
      topic: "",
      partitionMetadata: this.#metadata,
      message: { key, value: null },
    });
  }

  /**
   * `items` split by partition, keeping their order within each: one group per partition that
   * has items. A record keyed by any item of a group lands on that group's partition.
   */
  groupByPartition<I extends { key: string }>(items: readonly I[]): I[][] {
    const groups: I[][] = [];
    for (const item of items) (groups[this.partition(item.key)] ??= []).push(item);
    return groups.filter((group) => group !== undefined);
  }
}
