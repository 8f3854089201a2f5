/**
 * The in-process transport: when every role runs in one process, mailboxes and data topics are
 * bounded in-memory logs with Kafka's semantics (partitions, per-key order, consumer groups with
 * committed offsets, at-least-once delivery), so the roles cannot tell it from Kafka.
 *
 * Memory is bounded by `capacity` records per partition:
 * - `publish` waits while the slowest group that ever subscribed to the topic lags `capacity`
 *   records behind on the target partition (backpressure); records every such group committed
 *   are released. A group stays registered after its subscriptions stop (like Kafka's committed
 *   offsets), so a restarting actor loses nothing, and a group that never comes back eventually
 *   stalls its publishers.
 * - A topic nobody ever subscribed to keeps only its `capacity` newest records per partition
 *   (older ones are dropped, as by a retention limit) and never blocks `publish`.
 *
 * Hand-off is per batch: a consumer takes up to `maxBatch` waiting records of one partition at
 * once and no promise is created per record.
 *
 * Partitions are assigned as by Kafka's eager protocol: when a member joins or leaves a group,
 * every member gives up its partitions after its in-flight batch (`onRevoked`), and partition p
 * of a topic goes to the (p mod n)-th of its n members, which takes it once its previous owner
 * let go (`onAssigned`). `BatchContext.commit` publishes, then the batch's offset is committed:
 * the process is the unit of failure, so nothing lies between the two to lose or repeat.
 *
 * @module
 */

// The Transport interface is asynchronous; this log answers at once, and `async` still turns bad
// input into a rejection like every other failure.
// deno-lint-ignore-file require-await

import { checkedSubscribeOptions, requirePositiveInteger } from "./checks.ts";
import { KeyPartitioner } from "./key_partitioner.ts";
import type {
  AssignedPartition,
  BatchContext,
  ConsumedRecord,
  OutgoingRecord,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicRecords,
  Transport,
} from "./transport.ts";

/** Sizes of the in-process logs. */
export interface InProcessTransportOptions {
  /** Partitions of a topic created on first use, unless listed in `topics`. Default 4. */
  partitions?: number;
  /** Partition counts of particular topics. */
  topics?: Record<string, number>;
  /** Records a group may lag per partition before `publish` waits (module doc). Default 10,000. */
  capacity?: number;
}

const noHeaders: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A bounded in-memory log with consumer groups, implementing `Transport`. */
export class InProcessTransport implements Transport {
  readonly #defaultPartitions: number;
  readonly #partitionCounts: Record<string, number>;
  readonly #capacity: number;
  readonly #topics = new Map<string, Topic>();
  readonly #subscriptions = new Set<InProcessSubscription>();
  #closed = false;

  /** Validates the sizes; topics are created on first use. */
  constructor(options: InProcessTransportOptions = {}) {
    const { partitions = 4, topics = {}, capacity = 10_000 } = options;
    requirePositiveInteger("partitions", partitions);
    requirePositiveInteger("capacity", capacity);
    for (const [topic, count] of Object.entries(topics)) {
      requirePositiveInteger(`topics.${topic}`, count);
    }
    this.#defaultPartitions = partitions;
    this.#partitionCounts = { ...topics };
    this.#capacity = capacity;
  }

  /** Appends the records (same key, same partition, in order); waits while a partition is full. */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.#requireOpen();
    const log = this.#topic(topic);
    const timestamp = Date.now();
    for (const record of records) {
      const partition = log.partitionFor(record.key);
      while (log.isFull(partition)) {
        // Consumers must see what this call appended so far, or nobody would make room.
        log.wakeConsumers();
        await log.partitions[partition].room.wait();
        this.#requireOpen();
      }
      log.append(partition, record, timestamp);
    }
    log.wakeConsumers();
  }

  /** Joins `options.group` on `options.topics`; a new group starts at `options.start`. */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#requireOpen();
    const checked = checkedSubscribeOptions(options);
    const logs = checked.topics.map((name) => this.#topic(name));
    for (const log of logs) log.join(checked.group, checked.start);
    const publish = async (outputs: TopicRecords[]) => {
      for (const { topic, records } of outputs) await this.publish(topic, records);
    };
    const subscription = new InProcessSubscription(logs, checked, publish, () => {
      this.#subscriptions.delete(subscription);
    });
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Number of partitions of a topic (creating it on first use). */
  async partitions(topic: string): Promise<number> {
    return this.#topic(topic).partitions.length;
  }

  /** Next offset to be written, per partition. */
  async endOffsets(topic: string): Promise<number[]> {
    return this.#topic(topic).partitions.map((partition) => partition.end);
  }

  /** Committed offset of `group` per partition; -1 everywhere for a group that never joined. */
  async committedOffsets(group: string, topic: string): Promise<number[]> {
    const log = this.#topic(topic);
    const state = log.groups.get(group);
    return log.partitions.map((_, partition) => state?.committed[partition] ?? -1);
  }

  /** Stops every subscription (each finishes its in-flight batch); waiting publishers reject. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const log of this.#topics.values()) {
      for (const partition of log.partitions) partition.room.notify();
    }
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.stop()));
  }

  #topic(name: string): Topic {
    let log = this.#topics.get(name);
    if (log === undefined) {
      if (name.length === 0) {
        throw new RangeError(`topic must be a non-empty string: current value is ''`);
      }
      log = new Topic(name, this.#partitionCounts[name] ?? this.#defaultPartitions, this.#capacity);
      this.#topics.set(name, log);
    }
    return log;
  }

  #requireOpen(): void {
    if (this.#closed) throw new Error("in-process transport is closed");
  }
}

/** A wake-up shared by every waiter: one promise per wait round, none per record. */
class Wakeup {
  #waiting: PromiseWithResolvers<void> | undefined;

  wait(): Promise<void> {
    this.#waiting ??= Promise.withResolvers<void>();
    return this.#waiting.promise;
  }

  notify(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve();
  }
}

/** Retained records of one partition: offsets `base` .. `end - 1`. */
class Partition {
  /** Records from index `head` on are retained; the prefix awaits compaction. */
  records: ConsumedRecord[] = [];
  head = 0;
  base = 0;
  /** Woken whenever records are released. */
  readonly room = new Wakeup();

  get end(): number {
    return this.base + this.records.length - this.head;
  }

  /** Records `from` .. `to - 1` (offsets, all retained). */
  slice(from: number, to: number): ConsumedRecord[] {
    const start = this.head + from - this.base;
    return this.records.slice(start, start + to - from);
  }

  /** Drops records below `offset`. */
  releaseBelow(offset: number): void {
    if (offset <= this.base) return;
    this.head += offset - this.base;
    this.base = offset;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    this.room.notify();
  }
}

/** A group's position on one topic. */
interface GroupState {
  /** Next offset to hand out per partition = committed offset (one batch in flight at most). */
  committed: number[];
  /** Whether a member is handling a batch of the partition right now. */
  busy: boolean[];
  /** Whether the group ever committed on the partition. */
  everCommitted: boolean[];
  /** Members in joining order: partition p belongs to `members[p % members.length]`. */
  members: object[];
  /** The member that holds each partition now (null between owners). */
  owners: (object | null)[];
  /** Grows on every join and leave: members then give up their partitions. */
  generation: number;
}

/** One topic: its partitions and the groups that subscribed to it. */
class Topic {
  readonly partitions: Partition[];
  readonly groups = new Map<string, GroupState>();
  /** One per subscription: woken when records arrive or a partition becomes free. */
  readonly consumers = new Set<Wakeup>();
  readonly name: string;
  readonly #capacity: number;
  readonly #partitioner: KeyPartitioner;

  constructor(name: string, partitions: number, capacity: number) {
    this.name = name;
    this.#capacity = capacity;
    this.partitions = Array.from({ length: partitions }, () => new Partition());
    this.#partitioner = new KeyPartitioner(partitions);
  }

  partitionFor(key: string | null): number {
    return this.#partitioner.partition(key);
  }

  wakeConsumers(): void {
    for (const consumer of this.consumers) consumer.notify();
  }

  /** Whether the slowest group lags `capacity` records on the partition. */
  isFull(partition: number): boolean {
    if (this.groups.size === 0) return false;
    const log = this.partitions[partition];
    return log.end - log.base >= this.#capacity;
  }

  append(partition: number, record: OutgoingRecord, timestamp: number): void {
    const log = this.partitions[partition];
    log.records.push({
      topic: this.name,
      partition,
      offset: log.end,
      key: record.key,
      value: record.value,
      headers: record.headers ?? noHeaders,
      timestamp,
    });
    if (this.groups.size === 0 && log.end - log.base > this.#capacity) {
      log.releaseBelow(log.end - this.#capacity);
    }
  }

  /** Registers a group (if new) at the start position. */
  join(group: string, start: "earliest" | "latest"): void {
    if (this.groups.has(group)) return;
    this.groups.set(group, {
      committed: this.partitions.map((log) => start === "earliest" ? log.base : log.end),
      busy: this.partitions.map(() => false),
      everCommitted: this.partitions.map(() => false),
      members: [],
      owners: this.partitions.map(() => null),
      generation: 0,
    });
    // The new group may be the first one: retention now follows committed offsets only.
    this.#release();
  }

  /** Moves a group's committed offset and releases what every group committed. */
  commit(state: GroupState, partition: number, offset: number): void {
    state.committed[partition] = offset;
    state.everCommitted[partition] = true;
    state.busy[partition] = false;
    this.#releasePartition(partition);
    this.wakeConsumers();
  }

  /** Gives a partition back without committing: its batch goes to the next member. */
  abandon(state: GroupState, partition: number): void {
    state.busy[partition] = false;
    this.wakeConsumers();
  }

  #release(): void {
    for (let partition = 0; partition < this.partitions.length; partition++) {
      this.#releasePartition(partition);
    }
  }

  #releasePartition(partition: number): void {
    let floor = Infinity;
    for (const state of this.groups.values()) floor = Math.min(floor, state.committed[partition]);
    this.partitions[partition].releaseBelow(floor);
  }
}

/** A member of a group on one or more topics, looping: claim a batch, handle it, commit. */
class InProcessSubscription implements Subscription {
  readonly done: Promise<void>;
  readonly #logs: Topic[];
  readonly #slots: Slot[];
  readonly #options: Required<SubscribeOptions>;
  readonly #publish: (outputs: TopicRecords[]) => Promise<void>;
  readonly #stopping = new AbortController();
  /** Woken by the topics (records, free partitions) and by `stop`. */
  readonly #wakeup = new Wakeup();
  /** The group generation this member last rebalanced at, per topic. */
  readonly #generations = new Map<Topic, number>();
  /** Where the next claim starts looking, so every partition gets its turn. */
  #cursor = 0;

  constructor(
    logs: Topic[],
    options: Required<SubscribeOptions>,
    publish: (outputs: TopicRecords[]) => Promise<void>,
    onEnd: () => void,
  ) {
    this.#logs = logs;
    this.#options = options;
    this.#publish = publish;
    this.#slots = logs.flatMap((log) => {
      const state = log.groups.get(options.group)!;
      return log.partitions.map((_, partition) => ({ log, state, partition }));
    });
    for (const log of logs) {
      log.consumers.add(this.#wakeup);
      this.#membership(log, (members) => members.push(this));
    }
    this.done = this.#run().finally(async () => {
      for (const log of logs) {
        log.consumers.delete(this.#wakeup);
        this.#membership(log, (members) => members.splice(members.indexOf(this), 1));
      }
      await this.#release();
      onEnd();
    });
    // Whoever awaits `done` still sees the rejection; this only keeps an unobserved one from
    // crashing the process.
    this.done.catch(() => {});
  }

  /** Stops intake and waits for the in-flight batch to be handled and committed. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#wakeup.notify();
    await this.done.catch(() => {});
  }

  /** Changes the group's members on `log`: a new generation, every member rebalances. */
  #membership(log: Topic, change: (members: object[]) => void): void {
    const state = log.groups.get(this.#options.group)!;
    change(state.members);
    state.generation++;
    log.wakeConsumers();
  }

  async #run(): Promise<void> {
    // Let `subscribe` return before the first handler call, as with a real broker.
    await Promise.resolve();
    while (!this.#stopping.signal.aborted) {
      // Taken first: a wake-up while the rebalance awaits its callbacks must not be missed.
      const woken = this.#wakeup.wait();
      await this.#rebalance();
      const claim = this.#claim();
      if (claim === undefined) {
        await woken;
        continue;
      }
      const { log, state, partition, from, to } = claim;
      let committed = false;
      const context: BatchContext = {
        heartbeat: () => Promise.resolve(),
        stopping: this.#stopping.signal,
        commit: async (outputs) => {
          if (committed) throw new Error("a batch is committed once");
          committed = true;
          await this.#publish(outputs);
        },
      };
      try {
        await this.#options.handler(log.partitions[partition].slice(from, to), context);
      } catch (error) {
        log.abandon(state, partition);
        throw error;
      }
      log.commit(state, partition, to);
    }
  }

  /**
   * On a new generation gives up every partition held; then takes the partitions assigned to it
   * that their previous owner let go, and announces them.
   */
  async #rebalance(): Promise<void> {
    if (this.#logs.some((log) => this.#generations.get(log) !== this.#stateOf(log).generation)) {
      for (const log of this.#logs) this.#generations.set(log, this.#stateOf(log).generation);
      await this.#release();
    }
    const taken: AssignedPartition[] = [];
    for (const { log, state, partition } of this.#slots) {
      const { members, owners } = state;
      if (owners[partition] !== null || members[partition % members.length] !== this) continue;
      owners[partition] = this;
      taken.push({
        topic: log.name,
        partition,
        committed: state.everCommitted[partition] ? state.committed[partition] : null,
      });
    }
    if (taken.length > 0) await this.#options.onAssigned(taken);
  }

  /** Gives up every partition this member holds, telling `onRevoked`. */
  async #release(): Promise<void> {
    const released: TopicPartition[] = [];
    for (const { log, state, partition } of this.#slots) {
      if (state.owners[partition] !== this) continue;
      released.push({ topic: log.name, partition });
    }
    if (released.length === 0) return;
    try {
      await this.#options.onRevoked(released);
    } finally {
      for (const { log, state, partition } of this.#slots) {
        if (state.owners[partition] === this) state.owners[partition] = null;
        log.wakeConsumers();
      }
    }
  }

  #stateOf(log: Topic): GroupState {
    return log.groups.get(this.#options.group)!;
  }

  #claim(): Claim | undefined {
    const slots = this.#slots;
    for (let step = 0; step < slots.length; step++) {
      const slot = slots[(this.#cursor + step) % slots.length];
      if (slot.state.owners[slot.partition] !== this) continue;
      const from = slot.state.committed[slot.partition];
      const end = slot.log.partitions[slot.partition].end;
      if (slot.state.busy[slot.partition] || from >= end) continue;
      slot.state.busy[slot.partition] = true;
      this.#cursor = (this.#cursor + step + 1) % slots.length;
      return { ...slot, from, to: Math.min(end, from + this.#options.maxBatch) };
    }
    return undefined;
  }
}

/** One partition of one topic as seen by a group. */
interface Slot {
  log: Topic;
  state: GroupState;
  partition: number;
}

/** A batch a member took: offsets `from` .. `to - 1` of a slot. */
interface Claim extends Slot {
  from: number;
  to: number;
}
