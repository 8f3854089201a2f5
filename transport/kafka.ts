/**
 * The Kafka transport (kafkajs). Writes go through one idempotent producer with acks=all, so a
 * retried send neither loses nor duplicates records, and keyed records keep their order (Kafka's
 * murmur2 partitioner). Each subscription is one consumer-group member that hands the handler a
 * partition's records in batches and commits a batch's offset only after the handler resolved:
 * delivery is at least once, and a restarted member resumes from the committed offsets.
 *
 * Assignment follows the group's (eager) rebalances: on every join the member gives up what it
 * held (`onRevoked`) and announces what it got (`onAssigned`, with the group's committed offsets),
 * and no batch is handled before that finished. A `transactional` subscription holds one
 * transactional producer per assigned input partition (id `<group>.<topic>.<partition>`, so a
 * member taking the partition over fences its predecessor and aborts its open transaction) and
 * `BatchContext.commit` writes the outputs and the input offset (`sendOffsets`) in one
 * transaction. Consumers read with isolation read_committed (kafkajs's default, set explicitly).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaConfig,
  type KafkaMessage,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
} from "kafkajs";
import { getLogger } from "@logtape/logtape";
import { checkedSubscribeOptions, requirePositiveInteger } from "./checks.ts";
import { requestSlices } from "./request_slices.ts";
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

/** Where kafkajs's own warnings and errors go. */
export interface KafkaLogger {
  /** kafkajs's connection retries and stacks: the failure they end in is reported anyway. */
  debug?(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

/** How to reach the cluster and how consumers keep their membership. */
export interface KafkaTransportOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Default `retune`. */
  clientId?: string;
  /** Passed to kafkajs as is. */
  ssl?: KafkaConfig["ssl"];
  /** Passed to kafkajs as is. */
  sasl?: KafkaConfig["sasl"];
  /** Receives kafkajs records at WARN and above. Default: logtape category `retune.kafka`. */
  logger?: KafkaLogger;
  /** A member silent this long is dropped from its group, ms. Default 30,000 (kafkajs). */
  sessionTimeoutMs?: number;
  /** Default 3,000 (kafkajs). */
  heartbeatIntervalMs?: number;
  /**
   * Longest the group waits for its members to rejoin at a rebalance, ms; at least
   * `sessionTimeoutMs`. Default: the client's (kafkajs 60,000, `@platformatic/kafka` 102,000).
   */
  rebalanceTimeoutMs?: number;
  /**
   * Longest a fetch waits for records, ms; `stop` waits for the fetch in flight, so this bounds
   * how long stopping an idle member takes. Default 500 (the Java client's `fetch.max.wait.ms`).
   */
  fetchMaxWaitMs?: number;
  /**
   * Put before every consumer group id, so deployments sharing a cluster never share a group
   * (kafkajs assigns a group only the topics its leader subscribed to). Default "".
   */
  groupPrefix?: string;
  /**
   * Over `@platformatic/kafka` only: longest a member's call to its client (a transaction step, a
   * commit, a close) may run before the member is given up, ms. Default 30,000, the client's own
   * request timeout.
   */
  callDeadlineMs?: number;
}

/** Longest a handled chunk waits for its commit while the rest of its fetch is handled, ms. */
const commitIntervalMs = 1_000;

/** A `Transport` over a Kafka cluster. */
export class KafkaTransport implements Transport {
  readonly #kafka: Kafka;
  readonly #sessionTimeoutMs: number | undefined;
  readonly #heartbeatIntervalMs: number | undefined;
  readonly #rebalanceTimeoutMs: number | undefined;
  readonly #fetchMaxWaitMs: number;
  readonly #groupPrefix: string;
  readonly #subscriptions = new Set<KafkaSubscription>();
  #producer: Promise<Producer> | undefined;
  #admin: Promise<Admin> | undefined;
  #closed = false;

  /** Validates the options; connections open on first use. */
  constructor(options: KafkaTransportOptions) {
    const { brokers, sessionTimeoutMs, heartbeatIntervalMs, fetchMaxWaitMs } = checkedKafkaOptions(
      options,
    );
    const logger = options.logger ?? getLogger(["retune", "kafka"]);
    this.#kafka = new Kafka({
      brokers,
      clientId: options.clientId ?? "retune",
      ssl: options.ssl,
      sasl: options.sasl,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => forward(logger, entry),
    });
    this.#sessionTimeoutMs = sessionTimeoutMs;
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
    this.#rebalanceTimeoutMs = options.rebalanceTimeoutMs;
    this.#fetchMaxWaitMs = fetchMaxWaitMs;
    this.#groupPrefix = options.groupPrefix ?? "";
  }

  /** Sends the records with acks=all; resolves once the cluster acknowledged all of them. */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.#requireOpen();
    if (records.length === 0) return;
    const producer = await this.#connectedProducer();
    for (const slice of requestSlices([{ topic, records }])) {
      await producer.sendBatch({ topicMessages: slice.map(toTopicMessages), acks: -1 });
    }
  }

  /** Joins the group; resolves once the member runs. A new group starts at `options.start`. */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#requireOpen();
    const checked = checkedSubscribeOptions(options);
    const groupId = this.#groupPrefix + checked.group;
    const consumer = this.#kafka.consumer({
      groupId,
      sessionTimeout: this.#sessionTimeoutMs,
      heartbeatInterval: this.#heartbeatIntervalMs,
      rebalanceTimeout: this.#rebalanceTimeoutMs,
      maxWaitTimeInMs: this.#fetchMaxWaitMs,
      readUncommitted: false,
      // A crashed member ends the subscription; restarting is the supervisor's call, not kafkajs's.
      retry: { restartOnFailure: () => Promise.resolve(false) },
    });
    const subscription = new KafkaSubscription(consumer, checked, {
      groupId,
      publish: async (outputs) => {
        for (const { topic, records } of outputs) await this.publish(topic, records);
      },
      committed: (topic) => this.#committedOffsets(groupId, topic),
      transactionalProducer: (transactionalId) =>
        this.#kafka.producer({
          transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
        }),
      onEnd: () => this.#subscriptions.delete(subscription),
    });
    this.#subscriptions.add(subscription);
    await subscription.start();
    return subscription;
  }

  /** Number of partitions of a topic, from the cluster's metadata. */
  async partitions(topic: string): Promise<number> {
    const admin = await this.#connectedAdmin();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions.length;
  }

  /** The group's committed offset per partition of `topic` (null where it has none). */
  async #committedOffsets(groupId: string, topic: string): Promise<(number | null)[]> {
    const admin = await this.#connectedAdmin();
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const offsets: (number | null)[] = [];
    for (const { partition, offset } of fetched?.partitions ?? []) {
      offsets[partition] = Number(offset) < 0 ? null : Number(offset);
    }
    return offsets;
  }

  /** High watermark per partition. */
  async endOffsets(topic: string): Promise<number[]> {
    const admin = await this.#connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends: number[] = [];
    for (const { partition, high } of offsets) ends[partition] = Number(high);
    return ends;
  }

  /** The group's committed offset per partition, from the cluster (-1 where none). */
  async committedOffsets(group: string, topic: string): Promise<number[]> {
    const admin = await this.#connectedAdmin();
    const [fetched] = await admin.fetchOffsets({
      groupId: this.#groupPrefix + group,
      topics: [topic],
    });
    const committed: number[] = [];
    for (const { partition, offset } of fetched?.partitions ?? []) {
      committed[partition] = Number(offset);
    }
    return committed;
  }

  /** Stops every subscription (each commits its in-flight batch), then disconnects the clients. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.stop()));
    const [producer, admin] = [this.#producer, this.#admin];
    this.#producer = this.#admin = undefined;
    await Promise.all([
      producer?.then((client) => client.disconnect(), () => {}),
      admin?.then((client) => client.disconnect(), () => {}),
    ]);
  }

  #requireOpen(): void {
    if (this.#closed) throw new Error("kafka transport is closed");
  }

  #connectedProducer(): Promise<Producer> {
    this.#producer ??= connect(
      this.#kafka.producer({
        idempotent: true,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
      () => this.#producer = undefined,
    );
    return this.#producer;
  }

  #connectedAdmin(): Promise<Admin> {
    this.#admin ??= connect(this.#kafka.admin(), () => this.#admin = undefined);
    return this.#admin;
  }
}

/**
 * `options` checked as both Kafka transports check them (brokers as host:port, positive
 * timeouts), with the fetch wait and group prefix defaults filled in.
 */
export function checkedKafkaOptions(
  options: KafkaTransportOptions,
): KafkaTransportOptions & { fetchMaxWaitMs: number; groupPrefix: string } {
  const { brokers, sessionTimeoutMs, heartbeatIntervalMs, fetchMaxWaitMs = 500 } = options;
  if (brokers.length === 0 || brokers.some((broker) => !/^[^:\s]+:\d+$/.test(broker))) {
    throw new RangeError(
      `brokers must be a non-empty list of host:port: current value is ${JSON.stringify(brokers)}`,
    );
  }
  for (
    const [name, value] of [
      ["sessionTimeoutMs", sessionTimeoutMs],
      ["heartbeatIntervalMs", heartbeatIntervalMs],
      ["rebalanceTimeoutMs", options.rebalanceTimeoutMs],
      ["fetchMaxWaitMs", fetchMaxWaitMs],
      ["callDeadlineMs", options.callDeadlineMs],
    ] as const
  ) {
    if (value !== undefined) requirePositiveInteger(name, value);
  }
  const { rebalanceTimeoutMs } = options;
  if (rebalanceTimeoutMs !== undefined && rebalanceTimeoutMs < (sessionTimeoutMs ?? 30_000)) {
    throw new RangeError(
      `rebalanceTimeoutMs must be at least sessionTimeoutMs (${
        sessionTimeoutMs ?? 30_000
      }): current value is ${rebalanceTimeoutMs}`,
    );
  }
  return { ...options, fetchMaxWaitMs, groupPrefix: options.groupPrefix ?? "" };
}

/** Connects a client; on failure forgets it (`forget`) so the next call tries again. */
async function connect<C extends { connect(): Promise<void> }>(
  client: C,
  forget: () => void,
): Promise<C> {
  try {
    await client.connect();
    return client;
  } catch (error) {
    forget();
    throw error;
  }
}

/** What a member needs of its transport beyond its consumer. */
interface MemberServices {
  groupId: string;
  /** Publishes through the transport's shared (idempotent, not transactional) producer. */
  publish(outputs: TopicRecords[]): Promise<void>;
  /** The group's committed offsets of a topic, by partition. */
  committed(topic: string): Promise<(number | null)[]>;
  /** A new transactional producer with this id (not connected). */
  transactionalProducer(transactionalId: string): Producer;
  onEnd(): void;
}

/** A partition a member holds. */
interface Held {
  partition: TopicPartition;
  /** The committed offset read on assignment (after fencing): a transactional member skips records before it. */
  resumeAt: number;
  /** Its transactional producer, in a transactional subscription. */
  producer?: Producer;
}

/** One group member: feeds the handler, commits what it handled, ends on stop or error. */
class KafkaSubscription implements Subscription {
  readonly done: Promise<void>;
  readonly #consumer: Consumer;
  readonly #options: Required<SubscribeOptions>;
  readonly #services: MemberServices;
  readonly #stopping = new AbortController();
  readonly #settle = Promise.withResolvers<void>();
  /** Settles when the latest assignment was announced; batches wait for it. */
  #ready: Promise<void> = Promise.resolve();
  /** Partitions held now, by `<topic>:<partition>`. */
  readonly #held = new Map<string, Held>();
  #ending: Promise<void> | undefined;
  #lastCommit = Date.now();

  constructor(consumer: Consumer, options: Required<SubscribeOptions>, services: MemberServices) {
    this.#consumer = consumer;
    this.#options = options;
    this.#services = services;
    this.done = this.#settle.promise.finally(services.onEnd);
    // Whoever awaits `done` still sees the rejection; this only keeps an unobserved one from
    // crashing the process.
    this.done.catch(() => {});
  }

  /** Connects, subscribes and starts the fetch loop. */
  async start(): Promise<void> {
    const { topics, start } = this.#options;
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) void this.#end(payload.error);
    });
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      const assignment = payload.memberAssignment as Record<string, number[]>;
      this.#ready = this.#ready.then(() => this.#rejoined(assignment));
      this.#ready.catch((error) => void this.#end(error));
    });
    try {
      await this.#consumer.connect();
      await this.#consumer.subscribe({ topics, fromBeginning: start === "earliest" });
      await this.#consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
    } catch (error) {
      await this.#end(error);
      throw error;
    }
  }

  /** Stops intake, waits for the in-flight batch (which commits), leaves the group. */
  async stop(): Promise<void> {
    await this.#end(undefined);
    await this.done.catch(() => {});
  }

  /** Eager rebalance: gives up everything held, then takes and announces the new assignment. */
  async #rejoined(assignment: Record<string, number[]>): Promise<void> {
    await this.#release();
    const taken: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) taken.push({ topic, partition });
    }
    for (const partition of taken) {
      const held: Held = { partition, resumeAt: 0 };
      if (this.#options.transactional) {
        const producer = this.#services.transactionalProducer(
          `${this.#services.groupId}.${partition.topic}.${partition.partition}`,
        );
        await producer.connect();
        // The first transaction initialises the producer id: this fences the partition's previous
        // owner and waits for its last transaction to complete (or aborts it), so the offsets
        // read next are those it committed.
        await (await producer.transaction()).abort();
        held.producer = producer;
      }
      this.#held.set(`${partition.topic}:${partition.partition}`, held);
    }
    const assigned: AssignedPartition[] = [];
    for (const topic of new Set(taken.map((partition) => partition.topic))) {
      const committed = await this.#services.committed(topic);
      for (const held of this.#held.values()) {
        if (held.partition.topic !== topic) continue;
        const offset = committed[held.partition.partition] ?? null;
        held.resumeAt = offset ?? 0;
        assigned.push({ ...held.partition, committed: offset });
      }
    }
    if (assigned.length > 0) await this.#options.onAssigned(assigned);
  }

  /** Gives up every held partition: `onRevoked`, then their producers disconnect. */
  async #release(): Promise<void> {
    if (this.#held.size === 0) return;
    const held = [...this.#held.values()];
    this.#held.clear();
    try {
      await this.#options.onRevoked(held.map(({ partition }) => partition));
    } finally {
      await Promise.all(held.map(({ producer }) => producer?.disconnect().catch(() => {})));
    }
  }

  /**
   * Hands a fetched partition batch to the handler in chunks of `maxBatch`. Each handled chunk's
   * offset is committed at the end of the fetched batch, when intake stops, or once
   * `commitIntervalMs` passed (so slow handlers commit as they go and fast ones once per fetch);
   * a transactional chunk commits its offset in its own transaction.
   */
  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    const { handler, maxBatch, transactional } = this.#options;
    await heartbeating(this.#ready, payload.heartbeat);
    const resumeAt = this.#held.get(`${batch.topic}:${batch.partition}`)?.resumeAt ?? 0;
    let handled: number | undefined;
    const commit = async () => {
      if (handled === undefined || transactional) return;
      await payload.commitOffsetsIfNecessary({
        topics: [{
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: String(handled + 1) }],
        }],
      });
      handled = undefined;
      this.#lastCommit = Date.now();
    };
    try {
      for (let from = 0; from < batch.messages.length; from += maxBatch) {
        if (this.#stopping.signal.aborted || !isRunning() || isStale()) break;
        const chunk = batch.messages.slice(from, from + maxBatch);
        const records = chunk
          .map((message) => toConsumed(batch.topic, batch.partition, message))
          // kafkajs may fetch from an offset read before a predecessor's last transaction
          // completed (it cannot ask for stable offsets): what that transaction committed is done.
          .filter((record) => !transactional || record.offset >= resumeAt);
        if (records.length === 0) {
          payload.resolveOffset(chunk[chunk.length - 1].offset);
          continue;
        }
        const next = records[records.length - 1].offset + 1;
        let committed = false;
        const context: BatchContext = {
          heartbeat: payload.heartbeat,
          stopping: this.#stopping.signal,
          commit: async (outputs) => {
            if (committed) throw new Error("a batch is committed once");
            committed = true;
            if (transactional) await this.#transact(batch.topic, batch.partition, next, outputs);
            else await this.#services.publish(outputs);
          },
        };
        try {
          await handler(records, context);
          if (transactional && !committed) await context.commit([]);
        } catch (error) {
          // This chunk is not committed: the group redelivers it to the next member.
          void this.#end(error);
          break;
        }
        handled = next - 1;
        payload.resolveOffset(String(handled));
        if (Date.now() - this.#lastCommit >= commitIntervalMs) await commit();
        // A large fetch handled slowly must not cost the membership.
        await payload.heartbeat();
      }
    } finally {
      await commit();
    }
  }

  /** Writes `outputs` and the input offset `next` of a held partition in one transaction. */
  async #transact(
    topic: string,
    partition: number,
    next: number,
    outputs: TopicRecords[],
  ): Promise<void> {
    const producer = this.#held.get(`${topic}:${partition}`)?.producer;
    if (producer === undefined) {
      throw new Error(`partition ${partition} of ${topic} is not held by this member any more`);
    }
    const transaction = await producer.transaction();
    try {
      for (const slice of requestSlices(outputs)) {
        await transaction.sendBatch({ topicMessages: slice.map(toTopicMessages), acks: -1 });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.#services.groupId,
        topics: [{ topic, partitions: [{ partition, offset: String(next) }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
  }

  /** Ends once: stops intake, disconnects (after the in-flight batch), settles `done`. */
  #end(failure: unknown): Promise<void> {
    this.#ending ??= (async () => {
      this.#stopping.abort();
      try {
        await this.#consumer.disconnect();
      } catch (error) {
        failure ??= error;
      }
      try {
        await this.#ready.catch(() => {});
        await this.#release();
      } catch (error) {
        failure ??= error;
      }
      if (failure === undefined) this.#settle.resolve();
      else this.#settle.reject(failure);
    })();
    return this.#ending;
  }
}

/**
 * Waits for `work`, keeping the membership alive meanwhile: restoring a partition's state may
 * outlast the session timeout.
 */
async function heartbeating(work: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
  let done = false;
  const finished = work.finally(() => done = true);
  while (!done) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      finished,
      new Promise<void>((resolve) => timer = setTimeout(resolve, heartbeatEveryMs)),
    ]);
    clearTimeout(timer);
    if (!done) await heartbeat();
  }
  await finished;
}

/** How often a member waiting for its assignment to be announced heartbeats, ms. */
const heartbeatEveryMs = 1_000;

/** kafkajs's messages of one topic's records. */
function toTopicMessages({ topic, records }: TopicRecords) {
  return { topic, messages: records.map(toMessage) };
}

function toMessage(record: OutgoingRecord) {
  return {
    key: record.key,
    value: Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
    headers: record.headers,
  };
}

function toConsumed(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = String(value);
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString(),
    value: message.value ?? new Uint8Array(0),
    headers,
    timestamp: Number(message.timestamp),
  };
}

/** kafkajs namespaces that narrate connection attempts, each retried before it surfaces. */
const RETRIED = new Set(["Connection", "BrokerPool"]);

function forward(logger: KafkaLogger, entry: LogEntry): void {
  const { message, stack, ...properties } = entry.log;
  const record = { ...properties, namespace: entry.namespace };
  if (RETRIED.has(entry.namespace) || stack !== undefined) {
    logger.debug?.(`kafkajs: ${message}`, { ...record, stack });
  }
  if (RETRIED.has(entry.namespace)) return;
  if (entry.level === logLevel.ERROR) logger.error(`kafkajs: ${message}`, record);
  else logger.warn(`kafkajs: ${message}`, record);
}
