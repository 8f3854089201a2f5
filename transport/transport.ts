/**
 * The one interface every mailbox and data stream sits behind. Implementations:
 * `in_process.ts` (bounded in-memory log, used when all roles share one process) and Kafka over
 * either client, `kafka.ts` (kafkajs, the default) or `platformatic_kafka.ts`. Records are
 * opaque bytes; the codec lives elsewhere.
 *
 * What an implementation owes a member with per-partition state (the engine): partitions are
 * assigned to one member of a group at a time; `onRevoked` runs before `onAssigned` hands a
 * partition to another member; `onAssigned` is awaited before that partition's first batch;
 * and `BatchContext.commit` writes a batch's outputs with its input offset, atomically when the
 * subscription is `transactional`.
 * `tests/transport/partition_contract.ts` checks these promises; each implementation's test file
 * runs its cases (`assignmentCase`, `commitCase`) with a `ContractSetup` of its own.
 *
 * @module
 */

/** A record to publish. Records with the same key keep their order. */
export interface OutgoingRecord {
  key: string | null;
  value: Uint8Array;
  headers?: Record<string, string>;
}

/** A record as consumed, with where it came from. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Offset within the partition. */
  offset: number;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
  /** Broker or log append time, epoch ms. */
  timestamp: number;
}

/** Records bound for one topic. */
export interface TopicRecords {
  topic: string;
  records: OutgoingRecord[];
}

/** One partition of a topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A partition handed to a member, with where its group resumes. */
export interface AssignedPartition extends TopicPartition {
  /** The group's committed offset (next record to handle), or null when it has none yet. */
  committed: number | null;
}

/** Context handed to a batch handler. */
export interface BatchContext {
  /** Keeps group membership alive while a handler waits (no-op in process). */
  heartbeat(): Promise<void>;
  /** Resolves when the subscription is stopping; handlers that wait should give up then. */
  readonly stopping: AbortSignal;
  /**
   * Publishes what the batch produced and commits the batch's input offset (its last record + 1)
   * together, at most once per batch. In a `transactional` subscription this is one atomic write
   * (Kafka: one transaction of a producer fenced per input partition, with `sendOffsets`;
   * read_committed readers see all of it or none, and a zombie member's write is refused). Else
   * the records are published in order and the offset committed after, as for any batch.
   */
  commit(outputs: TopicRecords[]): Promise<void>;
}

/** Handles a batch of records from one partition; offsets are committed only after it resolves. */
export type BatchHandler = (records: ConsumedRecord[], context: BatchContext) => Promise<void>;

/** Options for joining a consumer group. */
export interface SubscribeOptions {
  /** Consumer group; each group sees every record once (at least once on failure). */
  group: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default: `earliest`. */
  start?: "earliest" | "latest";
  /** Largest batch handed to the handler at once. */
  maxBatch?: number;
  handler: BatchHandler;
  /**
   * Partitions handed to this member (on joining and on every rebalance), awaited before any of
   * their records reaches the handler: where a member restores per-partition state.
   */
  onAssigned?: (partitions: AssignedPartition[]) => Promise<void>;
  /**
   * Partitions taken from this member (on a rebalance and when it stops), called once their
   * in-flight batch was handled and before another member handles them.
   */
  onRevoked?: (partitions: TopicPartition[]) => Promise<void>;
  /** `BatchContext.commit` is atomic (module doc). Default false. */
  transactional?: boolean;
}

/** A running subscription. */
export interface Subscription {
  /** Stops intake, waits for the in-flight batch, commits its offsets, leaves the group. */
  stop(): Promise<void>;
  /** Resolves (or rejects with the consumer's fatal error) when the subscription ends. */
  readonly done: Promise<void>;
}

/** A message transport: publish to topics, consume them as a member of a group. */
export interface Transport {
  /** Publishes records to a topic; resolves once the transport accepted them (may wait: backpressure). */
  publish(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Joins a consumer group on the given topics. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Number of partitions of a topic. */
  partitions(topic: string): Promise<number>;
  /** Next offset to be written, per partition of a topic (the log end). */
  endOffsets(topic: string): Promise<number[]>;
  /**
   * Offset `group` committed per partition of a topic: the next record it will read, or -1 where
   * it committed none. With `endOffsets`, a group's lag (the metrics and the dashboard read it).
   */
  committedOffsets(group: string, topic: string): Promise<number[]>;
  /** Stops every subscription and releases connections. */
  close(): Promise<void>;
}
