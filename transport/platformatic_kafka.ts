/**
 * The Kafka transport over `@platformatic/kafka`, the same contract as `kafka.ts` (kafkajs): one
 * idempotent producer with acks=all and Kafka's Java partitioner (keyed records land where the
 * Java client and `KeyPartitioner` put them), and per subscription one group member whose handler
 * gets one partition's records at a time; a batch's offset is committed only after its handler
 * resolved, so delivery is at least once. Assignment follows the group's eager rebalances as the
 * kafkajs member's does (`onRevoked` before rejoining, `onAssigned` with the committed offsets
 * after; see `PlatformaticSubscription`).
 *
 * The client hands records one by one through a readable stream; the member drains what the
 * stream holds, splits it by partition into chunks of `maxBatch` and commits once per drain. The
 * stream stops fetching while its buffer is full, which is the backpressure.
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  findErrorBy,
  type Message,
  type MessagesStream,
  Producer,
  type SASLOptions,
} from "@platformatic/kafka";
import { getLogger } from "@logtape/logtape";
import { checkedSubscribeOptions } from "./checks.ts";
import { checkedKafkaOptions, type KafkaLogger, type KafkaTransportOptions } from "./kafka.ts";
import { requestSlices } from "./request_slices.ts";
import type {
  AssignedPartition,
  BatchContext,
  BatchHandler,
  ConsumedRecord,
  OutgoingRecord,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicRecords,
  Transport,
} from "./transport.ts";

/** Longest a handled drain waits for its commit while more records keep coming, ms. */
const commitIntervalMs = 1_000;

/** How often a member looks for steps that did not end, ms. */
const stallCheckMs = 5_000;

/** How long a step may run before the member reports it, ms. */
const stallReportMs = 20_000;

/** The client's own default rebalance timeout, ms. */
const clientRebalanceTimeoutMs = 102_000;

/** A step a member has under way. */
interface Step {
  readonly what: string;
  readonly since: number;
  reported: boolean;
}

/** Records a member's stream buffers before it stops fetching. */
const streamHighWaterMark = 4_096;

type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** A `Transport` over a Kafka cluster through `@platformatic/kafka`. */
export class PlatformaticKafkaTransport implements Transport {
  readonly #options: Required<
    Pick<KafkaTransportOptions, "fetchMaxWaitMs" | "groupPrefix" | "callDeadlineMs">
  >;
  readonly #base: {
    clientId: string;
    bootstrapBrokers: string[];
    tls?: object;
    sasl?: SASLOptions;
  };
  readonly #sessionTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  readonly #rebalanceTimeoutMs: number;
  readonly #logger: KafkaLogger;
  readonly #subscriptions = new Set<PlatformaticSubscription>();
  #producer: Producer | undefined;
  #admin: Admin | undefined;
  #offsets: Consumer | undefined;
  #closed = false;

  /** Validates the options (the same checks as the kafkajs transport); connections open on use. */
  constructor(options: KafkaTransportOptions) {
    const checked = checkedKafkaOptions(options);
    this.#base = {
      clientId: options.clientId ?? "retune",
      bootstrapBrokers: options.brokers,
      ...(options.ssl ? { tls: options.ssl === true ? {} : options.ssl } : {}),
      ...(options.sasl ? { sasl: saslOf(options.sasl) } : {}),
    };
    // kafkajs's defaults, so both clients keep membership alike when nothing is configured.
    this.#sessionTimeoutMs = checked.sessionTimeoutMs ?? 30_000;
    this.#heartbeatIntervalMs = checked.heartbeatIntervalMs ?? 3_000;
    this.#rebalanceTimeoutMs = checked.rebalanceTimeoutMs ?? clientRebalanceTimeoutMs;
    this.#options = {
      fetchMaxWaitMs: checked.fetchMaxWaitMs,
      groupPrefix: checked.groupPrefix,
      callDeadlineMs: checked.callDeadlineMs ?? 30_000,
    };
    this.#logger = options.logger ?? getLogger(["retune", "kafka"]);
  }

  /** Sends the records with acks=all; resolves once the cluster acknowledged all of them. */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.#requireOpen();
    if (records.length === 0) return;
    this.#producer ??= new Producer({
      ...this.#base,
      idempotent: true,
      acks: -1,
      partitioner: compatibilityPartitioner,
    });
    for (const slice of requestSlices([{ topic, records }])) {
      await this.#producer.send({ messages: slice.flatMap(toMessages) });
    }
  }

  /** Joins the group; resolves once the member runs. A new group starts at `options.start`. */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#requireOpen();
    const checked = checkedSubscribeOptions(options);
    // Every (re)join first asks for the member's subscription metadata: the subscription gives
    // up its partitions there, after its in-flight batch, as kafkajs does before it rejoins.
    let beforeJoin = (): Promise<Buffer> => Promise.resolve(noUserData);
    const consumer = new Consumer({
      ...this.#base,
      groupId: this.#options.groupPrefix + checked.group,
      sessionTimeout: this.#sessionTimeoutMs,
      heartbeatInterval: this.#heartbeatIntervalMs,
      rebalanceTimeout: this.#rebalanceTimeoutMs,
      maxWaitTime: this.#options.fetchMaxWaitMs,
      protocolsMetadata: () => beforeJoin(),
    });
    const publish = async (outputs: TopicRecords[]) => {
      for (const { topic, records } of outputs) await this.publish(topic, records);
    };
    const subscription = new PlatformaticSubscription(consumer, checked, this.#logger, {
      callDeadlineMs: this.#options.callDeadlineMs,
      // A join may lawfully wait for the group's other members for the whole rebalance timeout.
      joinDeadlineMs: this.#rebalanceTimeoutMs + this.#options.callDeadlineMs,
      publish,
      transactionalProducer: (transactionalId) =>
        new Producer({
          ...this.#base,
          transactionalId,
          idempotent: true,
          acks: -1,
          partitioner: compatibilityPartitioner,
          // "No producer yet", as the Java client asks: the client's default (0, 0) names a
          // producer, and the cluster refuses it as fenced once the id had another holder.
          producerId: -1n,
          producerEpoch: -1,
          // The transaction timeout it asks for (the client's default is 5 s): a broker paused
          // longer would abort the batch's open transaction and fence the member.
          timeout: transactionTimeoutMs,
        }),
      onEnd: () => {
        this.#subscriptions.delete(subscription);
      },
    });
    beforeJoin = () => subscription.beforeJoin();
    this.#subscriptions.add(subscription);
    await subscription.start();
    return subscription;
  }

  /** Number of partitions of a topic, from the cluster's metadata. */
  async partitions(topic: string): Promise<number> {
    this.#admin ??= new Admin(this.#base);
    const metadata = await this.#admin.metadata({ topics: [topic], forceUpdate: true });
    return metadata.topics.get(topic)!.partitionsCount;
  }

  /** High watermark per partition. */
  async endOffsets(topic: string): Promise<number[]> {
    // Listing offsets needs no group membership: this consumer never joins its group.
    this.#offsets ??= new Consumer({ ...this.#base, groupId: `${this.#base.clientId}.offsets` });
    const offsets = await this.#offsets.listOffsets({ topics: [topic] });
    return (offsets.get(topic) ?? []).map(Number);
  }

  /** The group's committed offset per partition, from the cluster (-1 where none). */
  async committedOffsets(group: string, topic: string): Promise<number[]> {
    this.#admin ??= new Admin(this.#base);
    const partitions = await this.partitions(topic);
    const [fetched] = await this.#admin.listConsumerGroupOffsets({
      groups: [{
        groupId: this.#options.groupPrefix + group,
        topics: [{
          name: topic,
          partitionIndexes: Array.from({ length: partitions }, (_, i) => i),
        }],
      }],
    });
    const committed = new Array<number>(partitions).fill(-1);
    for (const { name, partitions: offsets } of fetched?.topics ?? []) {
      if (name !== topic) continue;
      for (const { partitionIndex, committedOffset } of offsets) {
        committed[partitionIndex] = Number(committedOffset);
      }
    }
    return committed;
  }

  /** Stops every subscription (each commits its in-flight batch), then closes the clients. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.stop()));
    const clients = [this.#producer, this.#admin, this.#offsets];
    this.#producer = this.#admin = this.#offsets = undefined;
    await Promise.all(clients.map((client) => client?.close().catch(() => {})));
  }

  #requireOpen(): void {
    if (this.#closed) throw new Error("kafka transport is closed");
  }
}

/** What a member needs of its transport. */
interface MemberServices {
  /** Longest a call to the client may run before the member is given up, ms. */
  callDeadlineMs: number;
  /** Longest the member's first join of its group may run before it is given up, ms. */
  joinDeadlineMs: number;
  /** Publishes through the transport's shared (idempotent, not transactional) producer. */
  publish(outputs: TopicRecords[]): Promise<void>;
  /** A new transactional producer with this id. */
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

/**
 * One group member: drains its stream into the handler, commits what it handled, and follows the
 * group's (eager) rebalances as the kafkajs member does. Before every rejoin (the client's
 * `protocolsMetadata` hook, awaited before the JoinGroup request) it lets the in-flight batch
 * finish, commits what was handled, drops what was fetched but not handled and gives up what it
 * held (`onRevoked`); after the join it reads the group's committed offsets, announces the new
 * assignment (`onAssigned`) and reads on through a new stream, which starts at those offsets.
 * The old stream may still deliver what it fetched before the rejoin: that is not handled.
 *
 * A `transactional` member holds one transactional producer per assigned partition (id
 * `<group>.<topic>.<partition>`, so the partition's next holder fences it and aborts its open
 * transaction) and commits each batch's outputs with its input offset in one transaction.
 */
class PlatformaticSubscription implements Subscription {
  readonly done: Promise<void>;
  readonly #consumer: Consumer;
  readonly #options: Required<SubscribeOptions>;
  readonly #logger: KafkaLogger;
  readonly #stopping = new AbortController();
  readonly #settle = Promise.withResolvers<void>();
  readonly #services: MemberServices;
  /** Partitions announced and not yet revoked, by `partitionKey`. */
  readonly #held = new Map<string, Held>();
  /** Last handled message per partition whose offset is not yet committed. */
  #pending = new Map<string, KafkaMessage>();
  /** What the stream delivered and the drain has not taken yet. */
  #delivered: KafkaMessage[] = [];
  /** The stream records are taken from; undefined between a rejoin's release and its join. */
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** Streams given up at a rejoin, closed once their successor runs. */
  #retired: MessagesStream<Buffer, Buffer, Buffer, Buffer>[] = [];
  /** The latest join's assignment, until the drain announced it. */
  #joined: TopicPartition[] | undefined;
  /** Batches, releases and announcements run one at a time, in order. */
  #turn: Promise<void> = Promise.resolve();
  #releasing = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #ending: Promise<void> | undefined;
  /** The steps under way (a batch, a commit, a release...), for the stall watch. */
  readonly #doing = new Set<Step>();
  #watch: ReturnType<typeof setInterval> | undefined;

  constructor(
    consumer: Consumer,
    options: Required<SubscribeOptions>,
    logger: KafkaLogger,
    services: MemberServices,
  ) {
    this.#consumer = consumer;
    this.#options = options;
    this.#logger = logger;
    this.#services = services;
    this.done = this.#settle.promise.finally(services.onEnd);
    // Whoever awaits `done` still sees the rejection; this only keeps an unobserved one from
    // crashing the process.
    this.done.catch(() => {});
  }

  /** Joins the group and starts draining. */
  async start(): Promise<void> {
    this.#consumer.on("consumer:group:join", ({ assignments }) => {
      this.#joined = (assignments ?? []).flatMap(({ topic, partitions }) =>
        partitions.map((partition) => ({ topic, partition }))
      );
      this.#wakeUp();
    });
    this.#consumer.on("consumer:heartbeat:error", ({ error }) => {
      this.#logger.debug?.(`platformatic/kafka: heartbeat failed: ${error.message}`);
    });
    // The client gives the member up in two ways that end no stream: a rejoin that failed (after
    // a broker outage, say) is reported as an `error` and no heartbeat follows; heartbeats that
    // kept failing are reported once they stalled for its rebalance timeout. Either way the
    // member would wait for an assignment that never comes: the subscription ends instead, and
    // its owner (the actor's supervisor) starts a new member.
    this.#consumer.on("error", (error: Error) => {
      this.#lost(`its rejoin failed: ${message(error)}`, error);
    });
    this.#consumer.on("consumer:heartbeat:stalled", ({ lastError, stalledFor }) => {
      const last = lastError === undefined ? "" : ` (last: ${message(lastError)})`;
      this.#lost(`its heartbeats failed for ${stalledFor} ms${last}`, lastError);
    });
    const watch = setInterval(() => this.#checkStalls(), stallCheckMs);
    Deno.unrefTimer(watch);
    this.#watch = watch;
    try {
      // The first stream joins the group, which may wait for the other members to rejoin.
      this.#read(
        await this.#call(
          "joining the group",
          () => this.#openStream(),
          this.#services.joinDeadlineMs,
        ),
      );
      this.#loop = this.#drain().catch((error) => void this.#end(error));
    } catch (error) {
      // An unreachable cluster is the caller's to report, once; a refusal is worth a warning.
      const text = `platformatic/kafka: joining the group failed: ${message(error)}`;
      if (unreachable(error)) this.#logger.debug?.(text);
      else this.#logger.warn(text);
      await this.#end(error);
      throw error;
    }
  }

  /** Stops intake, waits for the in-flight batch (which commits), leaves the group. */
  async stop(): Promise<void> {
    await this.#end(undefined);
    await this.done.catch(() => {});
  }

  /**
   * The client's hook before each JoinGroup request: gives up what the member holds once the
   * in-flight batch is done. A commit refused mid-release makes the client rejoin from inside it,
   * which calls this again: that call finds the release under way and returns at once.
   */
  async beforeJoin(): Promise<Buffer> {
    if (this.#releasing) return noUserData;
    this.#releasing = true;
    try {
      await this.#step("the release before a rejoin", () => this.#exclusive(() => this.#release()));
    } catch (error) {
      void this.#end(error);
    } finally {
      this.#releasing = false;
    }
    return noUserData;
  }

  /** Runs `work` as a named step, which the stall watch reports if it runs long. */
  async #step<T>(what: string, work: () => Promise<T>): Promise<T> {
    const step = { what, since: Date.now(), reported: false };
    this.#doing.add(step);
    try {
      return await work();
    } finally {
      this.#doing.delete(step);
    }
  }

  /**
   * Runs a call to the client as a step with a deadline. After a broker pause the client has been
   * seen not to answer a transaction's TxnOffsetCommit for over a minute, while the member held
   * its partitions: past the deadline the call fails and so does the subscription, whose owner
   * starts a new member.
   */
  #call<T>(
    what: string,
    work: () => Promise<T>,
    deadlineMs = this.#services.callDeadlineMs,
  ): Promise<T> {
    return this.#step(what, () => {
      const call = work();
      // A call given up may still settle: nobody waits for it any more.
      call.catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const text = `platformatic/kafka: group ${this.#consumer.groupId}: ${what} did not ` +
            `end within ${deadlineMs} ms: the member is given up`;
          this.#logger.warn(text);
          reject(new KafkaCallStalledError(text));
        }, deadlineMs);
      });
      return Promise.race([call, expired]).finally(() => clearTimeout(timer));
    });
  }

  /** Warns once of each step that has run for `stallReportMs`, naming it. */
  #checkStalls(): void {
    const now = Date.now();
    for (const step of this.#doing) {
      if (step.reported || now - step.since < stallReportMs) continue;
      step.reported = true;
      this.#logger.warn(
        `platformatic/kafka: group ${this.#consumer.groupId}: ${step.what} has not ended after ${
          now - step.since
        } ms`,
      );
    }
  }

  /** Ends the subscription of a member the client gave up, saying why. */
  #lost(why: string, cause: unknown): void {
    if (this.#ending !== undefined) return;
    const text = `platformatic/kafka: group ${this.#consumer.groupId}: the member was lost: ${why}`;
    this.#logger.warn(text);
    void this.#end(new Error(text, { cause }));
  }

  /** A new stream over the current assignment; it starts at the group's committed offsets. */
  #openStream(): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    const { topics, start } = this.#options;
    return this.#consumer.consume({
      topics,
      autocommit: false,
      mode: "committed",
      fallbackMode: start,
      highWaterMark: streamHighWaterMark,
    });
  }

  /** Takes `stream`'s records into the drain while it is the current one. */
  #read(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    this.#stream = stream;
    stream.on("error", (error: Error) => {
      if (stream === this.#stream) void this.#end(error);
    });
    // A fetch's records arrive in one synchronous burst, so by the time the drain wakes the
    // whole fetch is there; past the high-water mark the stream pauses until it is taken.
    stream.on("data", (message: KafkaMessage) => {
      if (stream !== this.#stream) return;
      if (this.#delivered.push(message) >= streamHighWaterMark) stream.pause();
      this.#wakeUp();
    });
    stream.once("close", () => {
      if (stream === this.#stream) void this.#end(undefined);
    });
  }

  #wakeUp(): void {
    this.#wake?.();
    this.#wake = undefined;
  }

  /** Runs `work` after every earlier batch, release and announcement. */
  #exclusive(work: () => Promise<void>): Promise<void> {
    const turn = this.#turn.then(work);
    this.#turn = turn.catch(() => {});
    return turn;
  }

  /** Hands what the stream delivered over by partition, commits, and waits for more. */
  async #drain(): Promise<void> {
    const { handler, maxBatch } = this.#options;
    const stopping = this.#stopping.signal;
    let lastCommit = Date.now();
    const ended = new Promise<void>((resolve) => {
      stopping.addEventListener("abort", () => resolve(), { once: true });
    });
    while (!stopping.aborted) {
      if (this.#joined !== undefined) {
        await this.#exclusive(() => this.#takeUp());
        continue;
      }
      if (this.#delivered.length === 0) {
        if (this.#pending.size > 0) {
          await this.#exclusive(() => this.#commitPending(false));
          lastCommit = Date.now();
          // Records that came while the commit was under way woke nobody: look again first.
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => this.#wake = resolve), ended]);
        continue;
      }
      const byPartition = new Map<string, KafkaMessage[]>();
      for (const message of this.#delivered) {
        const key = partitionKey(message.topic, message.partition);
        let messages = byPartition.get(key);
        if (messages === undefined) byPartition.set(key, messages = []);
        messages.push(message);
      }
      this.#delivered = [];
      if (this.#stream?.isPaused()) this.#stream.resume();
      for (const [key, messages] of byPartition) {
        for (let from = 0; from < messages.length; from += maxBatch) {
          if (stopping.aborted) break;
          const chunk = messages.slice(from, from + maxBatch);
          await this.#exclusive(() => this.#handle(key, chunk, handler));
        }
      }
      if (Date.now() - lastCommit >= commitIntervalMs) {
        await this.#exclusive(() => this.#commitPending(false));
        lastCommit = Date.now();
      }
    }
    await this.#exclusive(() => this.#release());
  }

  /** Hands a chunk of one partition to the handler; a transactional one commits it at once. */
  async #handle(key: string, chunk: KafkaMessage[], handler: BatchHandler): Promise<void> {
    const held = this.#held.get(key);
    // Fetched before a rejoin gave the partition up: its next holder reads it again.
    if (held === undefined || this.#joined !== undefined) return;
    const { transactional } = this.#options;
    // The stream may start before a predecessor's last transaction completed (it read the
    // committed offsets before this member fenced it): what that transaction committed is done.
    const messages = transactional ? chunk.filter(({ offset }) => offset >= held.resumeAt) : chunk;
    if (messages.length === 0) return;
    const last = messages[messages.length - 1];
    const where = nameOf(held.partition);
    let committed = false;
    // The client heartbeats on its own timer, whatever the handler does. Not transactional:
    // a batch's outputs are published, then its offset committed with the others.
    const context: BatchContext = {
      heartbeat: () => Promise.resolve(),
      stopping: this.#stopping.signal,
      commit: async (outputs) => {
        if (committed) throw new Error("a batch is committed once");
        committed = true;
        const publish = () => this.#services.publish(outputs);
        if (transactional) await this.#transact(held, last, outputs);
        else await this.#call(`publishing the outputs of ${where}`, publish);
      },
    };
    try {
      await this.#step(`the handler of ${where}`, () => handler(messages.map(toConsumed), context));
      if (transactional && !committed) await context.commit([]);
    } catch (error) {
      // What was handled before commits; this chunk does not: the group redelivers it.
      await this.#commitPending(false);
      throw error;
    }
    if (!transactional) this.#pending.set(key, last);
  }

  /** Writes `outputs` and the input offset past `last` of a held partition in one transaction. */
  async #transact(held: Held, last: KafkaMessage, outputs: TopicRecords[]): Promise<void> {
    const where = nameOf(held.partition);
    const transaction = await this.#call(
      `beginning a transaction on ${where}`,
      () => held.producer!.beginTransaction(),
    );
    try {
      for (const slice of requestSlices(outputs)) {
        const messages = slice.flatMap(toMessages);
        await this.#call(`sending ${where}'s outputs`, () => transaction.send({ messages }));
      }
      await this.#call(`adding ${where}'s group`, () => transaction.addConsumer(this.#consumer));
      // The offset carries the member's generation: a member the group moved on from is refused.
      await this.#call(`adding ${where}'s offset`, () => transaction.addOffset(last));
      await this.#call(`committing ${where}'s transaction`, () => transaction.commit());
    } catch (error) {
      // A client that lost an answer is given up: the partition's next holder fences the
      // producer, which aborts its open transaction.
      if (error instanceof KafkaCallStalledError) throw error;
      await this.#call(`aborting ${where}'s transaction`, () => transaction.abort())
        .catch(() => transaction.cancel().catch(() => {}));
      throw error;
    }
  }

  /**
   * Gives up everything: the stream's records not yet handled are dropped (the group's next
   * reader starts at the committed offsets), what was handled is committed, `onRevoked` runs.
   */
  async #release(): Promise<void> {
    if (this.#stream !== undefined) {
      this.#stream.pause();
      this.#retired.push(this.#stream);
      this.#stream = undefined;
    }
    this.#delivered = [];
    await this.#commitPending(true);
    if (this.#held.size === 0) return;
    const held = [...this.#held.values()];
    this.#held.clear();
    try {
      await this.#step(
        "onRevoked",
        () => this.#options.onRevoked(held.map(({ partition }) => partition)),
      );
    } finally {
      await this.#closeProducers(held);
    }
  }

  /** Closes the transactional producers of `held` partitions; one that fails is given up. */
  async #closeProducers(held: Held[]): Promise<void> {
    await Promise.all(
      held.map(({ partition, producer }) =>
        producer === undefined ? undefined : this.#call(
          `closing the producer of ${nameOf(partition)}`,
          () => producer.close(),
        ).catch(() => {})
      ),
    );
  }

  /**
   * Announces the latest join's assignment with the group's committed offsets, then reads on
   * through a new stream (whose start is those offsets) and closes the ones given up.
   */
  async #takeUp(): Promise<void> {
    const taken = this.#joined ?? [];
    this.#joined = undefined;
    const producers = new Map<string, Producer>();
    if (this.#options.transactional) {
      // Fencing each partition's previous holder first: the offsets read next are then those
      // its last transaction left.
      for (const { topic, partition } of taken) {
        const id = `${this.#consumer.groupId}.${topic}.${partition}`;
        producers.set(partitionKey(topic, partition), await this.#fenced(id));
      }
    }
    // The first join's stream was opened after it; a rejoin's release gave its stream up.
    if (this.#stream === undefined) {
      if (this.#stopping.signal.aborted) return;
      this.#read(await this.#call("opening a stream", () => this.#openStream()));
      const retired = this.#retired;
      this.#retired = [];
      await Promise.all(
        retired.map((stream) =>
          this.#call("closing a retired stream", () => stream.close()).catch(() => {})
        ),
      );
    }
    if (taken.length === 0) return;
    const byTopic = Map.groupBy(taken, ({ topic }) => topic);
    const committed = await this.#call(
      "reading the committed offsets",
      () =>
        this.#consumer.listCommittedOffsets({
          topics: [...byTopic].map(([topic, partitions]) => ({
            topic,
            partitions: partitions.map(({ partition }) => partition),
          })),
        }),
    );
    const assigned: AssignedPartition[] = taken.map(({ topic, partition }) => {
      const offset = committed.get(topic)?.[partition];
      return {
        topic,
        partition,
        committed: offset === undefined || offset < 0n ? null : Number(offset),
      };
    });
    for (const { committed, ...partition } of assigned) {
      const key = partitionKey(partition.topic, partition.partition);
      this.#held.set(key, { partition, resumeAt: committed ?? 0, producer: producers.get(key) });
    }
    await this.#step("onAssigned", () => this.#options.onAssigned(assigned));
  }

  /**
   * A transactional producer that fenced the id's previous holder: its first transaction makes
   * the cluster abort (or finish) the predecessor's open one, which it answers with
   * CONCURRENT_TRANSACTIONS until done. A producer whose start failed cannot begin again, so
   * each try has a new one.
   */
  async #fenced(transactionalId: string): Promise<Producer> {
    const deadline = Date.now() + fencingDeadlineMs;
    for (;;) {
      const producer = this.#services.transactionalProducer(transactionalId);
      try {
        // Begun and dropped without a request: no partition was added, nothing to end.
        await this.#call(
          `fencing ${transactionalId}`,
          async () => await (await producer.beginTransaction()).cancel(),
        );
        return producer;
      } catch (error) {
        await this.#call(`closing ${transactionalId}`, () => producer.close()).catch(() => {});
        const busy = findErrorBy(error as Error, "apiId", "CONCURRENT_TRANSACTIONS") !== null;
        if (!busy || Date.now() >= deadline || this.#stopping.signal.aborted) throw error;
        this.#logger.debug?.(`platformatic/kafka: ${transactionalId}: predecessor still closing`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Commits the pending offsets; mid-rejoin (`rejoining`) whatever the client's state says. */
  async #commitPending(rejoining: boolean): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    try {
      await this.#call("an offset commit", () => commit(this.#consumer, pending, rejoining));
    } catch (error) {
      if (!rejoining) throw error;
      // The group then resumes at the older committed offsets: at least once still holds.
      this.#logger.debug?.(`platformatic/kafka: commit before rejoining failed: ${message(error)}`);
    }
  }

  /** Ends once: stops intake, waits for the drain (which commits), leaves the group, settles. */
  #end(failure: unknown): Promise<void> {
    this.#ending ??= (async () => {
      this.#stopping.abort();
      try {
        await this.#step("the drain's last batch", async () => await this.#loop);
        const streams = [...this.#retired, ...(this.#stream ? [this.#stream] : [])];
        this.#stream = undefined;
        this.#retired = [];
        // A drain that failed held on to its partitions' producers.
        const held = [...this.#held.values()];
        this.#held.clear();
        await this.#closeProducers(held);
        await this.#call(
          "closing its streams",
          () => Promise.all(streams.map((stream) => stream.close())),
        );
        await this.#call("leaving the group", () => this.#consumer.close());
      } catch (error) {
        failure ??= error;
      }
      clearInterval(this.#watch);
      if (failure === undefined) this.#settle.resolve();
      else this.#settle.reject(failure);
    })();
    return this.#ending;
  }
}

/**
 * Commits past each partition's last handled message, in one request (callers serialise
 * commits). A commit the group refuses because it is rebalancing is dropped: the partition's
 * next holder gets those records again, which at-least-once allows. Outside a rejoin
 * (`rejoining` false) nothing is sent while the client is mid-rebalance, where it would rejoin
 * from inside the commit and race its own rejoin; before a rejoin the group still takes it.
 */
async function commit(
  consumer: Consumer,
  last: Map<string, KafkaMessage>,
  rejoining: boolean,
): Promise<void> {
  if (last.size === 0 || (!rejoining && !consumer.isActive())) return;
  const offsets = [...last.values()].map(({ topic, partition, offset, leaderEpoch }) => ({
    topic,
    partition,
    offset: offset + 1n,
    leaderEpoch,
  }));
  try {
    await consumer.commit({ offsets });
  } catch (error) {
    if (findErrorBy(error as Error, "needsRejoin", true) === null) throw error;
  }
}

/** How long a transaction may stay open before the cluster aborts it, ms (kafkajs's and Java's). */
const transactionTimeoutMs = 60_000;

/** How long a member waits for a partition's previous holder's transaction to end, ms. */
const fencingDeadlineMs = 60_000;

/** The client's messages for one topic's records, the bytes not copied. */
function toMessages({ topic, records }: TopicRecords) {
  const messages = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const { key, value, headers } = records[i];
    messages[i] = {
      topic,
      key: key === null ? undefined : toBuffer(encoder.encode(key)),
      value: toBuffer(value),
      headers: headers === undefined ? undefined : headersOf(headers),
    };
  }
  return messages;
}

/** A call to the client that did not end within its deadline: the member was given up. */
export class KafkaCallStalledError extends Error {
  override readonly name = "KafkaCallStalledError";
}

/** Subscription metadata's user data: none (the assignor needs none). */
const noUserData = globalThis.Buffer.alloc(0);

/** A partition as logs name it, `topic/partition`. */
function nameOf({ topic, partition }: TopicPartition): string {
  return `${topic}/${partition}`;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

const encoder = new TextEncoder();

/** A Buffer over the same memory (no copy). */
function toBuffer(bytes: Uint8Array): Buffer {
  return globalThis.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function headersOf(headers: Record<string, string>): Map<Buffer, Buffer> {
  const map = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    map.set(globalThis.Buffer.from(name), globalThis.Buffer.from(value));
  }
  return map;
}

function toConsumed(message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headerEntries) headers[name.toString()] = value.toString();
  return {
    topic: message.topic,
    partition: message.partition,
    offset: Number(message.offset),
    key: message.key === undefined || message.key === null ? null : message.key.toString(),
    value: message.value ?? new Uint8Array(0),
    headers,
    timestamp: Number(message.timestamp),
  };
}

/** kafkajs's SASL options (`mechanism` in lower case) in the client's shape. */
function saslOf(sasl: NonNullable<KafkaTransportOptions["sasl"]>): SASLOptions {
  const { mechanism, ...rest } = sasl as { mechanism: string } & Record<string, unknown>;
  return { ...rest, mechanism: mechanism.toUpperCase() } as SASLOptions;
}

/** Whether every attempt behind `error` failed to reach a broker (none was refused by one). */
function unreachable(error: unknown): boolean {
  const attempts = (e: unknown): unknown[] => {
    const nested = (e as { errors?: unknown }).errors;
    return Array.isArray(nested) && nested.length > 0 ? nested.flatMap(attempts) : [e];
  };
  const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  // A login refused surfaces as a failed connection caused by the client's own error.
  const refused = (attempt: unknown) =>
    `${codeOf((attempt as Error).cause)}`.startsWith("PLT_KFK_");
  return attempts(error).every((attempt) =>
    codeOf(attempt) === "PLT_KFK_NETWORK" && !refused(attempt)
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
