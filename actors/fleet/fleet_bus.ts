/**
 * One consumer per group and topic for all of a fleet's per-model children in a process. Each
 * child `<role>:<model>` subscribes as if alone; the bus joins the group once (the child's own
 * group name, unsuffixed) and hands each record to the children its model names: an envelope's
 * `model` (`modelOf`), every child for a record about the whole deployment (`""`). A data record
 * is split once per batch (`partsOf`: an input batch's events by the models' key selectors), each
 * child getting only its model's part, and none when the batch holds nothing of its model. A
 * hundred models over Kafka then cost one consumer per topic, not a hundred, and one pass over
 * the input, not a hundred.
 *
 * What is committed: a batch's offset is committed only once every child it was handed to has
 * handled its part, so a kill -9 redelivers it (at least once, as for a child alone); nothing is
 * kept per model outside the group. For that, the bus joins the group only once every model of
 * the fleet has its child subscribed, and a batch with records for a model whose child is away
 * (restarting, or crashed on its part) waits for the child's next incarnation to hand it its
 * part, up to `waitMs`; past it the group's consumer fails and every child on it restarts. While
 * the process stops (`close`), the group is left as soon as a child leaves, so no batch is
 * handled by some models and not by others.
 *
 * Groups a fleet used before the bus (`<group>.<model>`) are migrated: while the bus's group has
 * committed nothing on a topic, a model's records below its old group's offsets are not handed
 * to it again.
 *
 * @module
 */

import type {
  BatchContext,
  ConsumedRecord,
  SubscribeOptions,
  Subscription,
  Transport,
} from "../../transport/transport.ts";
import type { Logger } from "../../logging/logger.ts";

/** What the bus needs to know of the process. */
export interface FleetBusOptions {
  transport: Transport;
  /** Every model whose child reads through the bus here: it consumes only while all are in. */
  models: readonly string[];
  /**
   * The fleet model a record is about: a model's name, `""` for the whole deployment, or null
   * when it does not decode (then one child takes it, to dead-letter it once).
   */
  modelOf(record: ConsumedRecord): string | null;
  /**
   * A record's parts by model when each model takes only some of it (an input batch: each
   * model's events, `InputSplit`), undefined for a record `modelOf` routes whole. Throwing
   * (it does not decode) routes it as `modelOf`'s null does.
   */
  partsOf?(record: ConsumedRecord): ReadonlyMap<string, ConsumedRecord> | undefined;
  /** How long a batch waits for a model's child to come back, ms. */
  waitMs: number;
  logger: Logger;
}

/** Pause between two heartbeats while a batch waits for a child, ms. */
const HEARTBEAT_MS = 1_000;

/** The bus of one process (`RetuneSystem` makes it; the supervisor's children use it). */
export class FleetBus {
  readonly #options: FleetBusOptions;
  readonly #hubs = new Map<string, Hub>();
  #closing = false;

  /** Rejects an empty fleet or a wait that is not a positive number. */
  constructor(options: FleetBusOptions) {
    if (options.models.length === 0) {
      throw new RangeError("models of a fleet bus must not be empty: current value is []");
    }
    if (!(Number.isFinite(options.waitMs) && options.waitMs > 0)) {
      throw new RangeError(
        `waitMs of a fleet bus must be a positive number: current value is ${options.waitMs}`,
      );
    }
    this.#options = options;
  }

  /**
   * Subscribes `model`'s child to `options.group` on `options.topics`. The group is joined once
   * every model's child is in: the last child's subscription resolves after the join, the
   * others' at once (children start one after another). Partition callbacks and transactions
   * are a single member's and are refused.
   */
  async subscribe(model: string, options: SubscribeOptions): Promise<Subscription> {
    if (!this.#options.models.includes(model)) {
      throw new RangeError(
        `model must be one of the fleet bus's (${this.#options.models.join(", ")}): ` +
          `current value is ${JSON.stringify(model)}`,
      );
    }
    if (options.onAssigned || options.onRevoked || options.transactional) {
      throw new RangeError(
        `group '${options.group}' of model '${model}': a fleet child cannot take partition ` +
          "callbacks or transactions (the group is shared by every model)",
      );
    }
    const key = `${options.group}\u0000${options.topics.join("\u0000")}`;
    let hub = this.#hubs.get(key);
    if (hub === undefined) {
      this.#hubs.set(key, hub = new Hub(this.#options, options, () => this.#closing));
    }
    return await hub.join(model, options);
  }

  /** The process is stopping: each group is left as soon as one of its children leaves. */
  close(): void {
    this.#closing = true;
  }
}

/** One model's child on a hub, for one incarnation. */
class Member implements Subscription {
  readonly model: string;
  readonly done: Promise<void>;
  readonly #handler: SubscribeOptions["handler"];
  readonly #settle = Promise.withResolvers<void>();
  readonly #stopping = new AbortController();
  readonly #transport: Transport;
  readonly #leave: (member: Member, clean: boolean) => Promise<void>;
  #inFlight: Promise<void> = Promise.resolve();
  #left = false;

  constructor(
    model: string,
    handler: SubscribeOptions["handler"],
    transport: Transport,
    leave: (member: Member, clean: boolean) => Promise<void>,
  ) {
    this.model = model;
    this.#handler = handler;
    this.#transport = transport;
    this.#leave = leave;
    this.done = this.#settle.promise;
    // Whoever awaits `done` sees a rejection; this only keeps an unobserved one quiet.
    this.done.catch(() => {});
  }

  /** Whether this incarnation still takes records. */
  get present(): boolean {
    return !this.#left;
  }

  /** Hands this child its part of a batch; rejects with the child's failure. */
  handle(records: ConsumedRecord[], batch: BatchContext): Promise<void> {
    let committed = false;
    let stopping: AbortSignal | undefined;
    const own = this.#stopping.signal;
    const context: BatchContext = {
      heartbeat: () => batch.heartbeat(),
      // Made when first read: few children wait, and a thousand signals per batch cost.
      get stopping() {
        return stopping ??= AbortSignal.any([batch.stopping, own]);
      },
      // The group's offset is the bus's: a child's outputs are published, the offset follows.
      commit: async (outputs) => {
        if (committed) throw new Error("a batch is committed once");
        committed = true;
        for (const { topic, records } of outputs) await this.#transport.publish(topic, records);
      },
    };
    const handled = this.#handler(records, context);
    this.#inFlight = handled.catch(() => {});
    return handled;
  }

  /** Its part of a batch failed: the child's subscription ends with the failure. */
  fail(error: unknown): void {
    if (this.#left) return;
    this.#left = true;
    this.#stopping.abort();
    this.#settle.reject(error);
    void this.#leave(this, false);
  }

  /** Stops taking records once its part in flight is handled. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#left) {
      this.#left = true;
      this.#stopping.abort();
      await this.#inFlight;
      this.#settle.resolve();
      await this.#leave(this, true);
    }
    await this.done.catch(() => {});
  }
}

/** One group on its topics, shared by the fleet's children that read it. */
class Hub {
  readonly #bus: FleetBusOptions;
  readonly #options: SubscribeOptions;
  readonly #members = new Map<string, Member>();
  /** The fleet's models, for a membership test per record. */
  readonly #models: ReadonlySet<string>;
  /** Where a model's records start on a topic's partitions while the group committed none. */
  readonly #floors = new Map<string, Map<string, number[]>>();
  #floorsRead = false;
  #subscription: Subscription | null = null;
  /** Joins and leaves of the group, one at a time. */
  #turn: Promise<void> = Promise.resolve();
  #arrived = Promise.withResolvers<void>();

  readonly #closing: () => boolean;

  constructor(bus: FleetBusOptions, options: SubscribeOptions, closing: () => boolean) {
    this.#bus = bus;
    this.#models = new Set(bus.models);
    this.#options = options;
    this.#closing = closing;
  }

  /** A model's child joins; resolves after the group is joined when it was the last one out. */
  async join(model: string, options: SubscribeOptions): Promise<Member> {
    const current = this.#members.get(model);
    if (current?.present) {
      throw new Error(`model '${model}' already reads group '${options.group}'`);
    }
    const member = new Member(
      model,
      options.handler,
      this.#bus.transport,
      (left, clean) => this.#leave(left, clean),
    );
    this.#members.set(model, member);
    this.#arrived.resolve();
    this.#arrived = Promise.withResolvers();
    const joined = this.#reconcile();
    if (this.#complete()) await joined;
    return member;
  }

  /** Whether every model's child is in. */
  #complete(): boolean {
    return this.#bus.models.every((m) => this.#members.get(m)?.present);
  }

  /**
   * A child left. Its model's records wait for its next incarnation, unless the process stops
   * (the group is left at once) or no child is left (the last one out waits for the commit).
   */
  #leave(member: Member, clean: boolean): Promise<void> {
    if (this.#members.get(member.model) === member) this.#members.delete(member.model);
    if (!clean || (this.#members.size > 0 && !this.#closing())) return Promise.resolve();
    return this.#reconcile();
  }

  /**
   * Joins the group when every model's child is in; leaves it when none is, or when one is not
   * while the process stops.
   */
  #reconcile(): Promise<void> {
    const next = this.#turn.then(async () => {
      const complete = this.#complete();
      const leave = this.#members.size === 0 || (!complete && this.#closing());
      if (complete && this.#subscription === null) await this.#start();
      else if (leave && this.#subscription !== null) {
        const subscription = this.#subscription;
        this.#subscription = null;
        await subscription.stop();
      }
    });
    this.#turn = next.catch((error) => this.#failAll(error));
    return this.#turn;
  }

  async #start(): Promise<void> {
    await this.#readFloors();
    const subscription = await this.#bus.transport.subscribe({
      ...this.#options,
      handler: (records, batch) => this.#handle(records, batch),
    });
    this.#subscription = subscription;
    subscription.done.then(
      () => {
        if (this.#subscription === subscription) {
          this.#failAll(
            new Error(`the consumer of group '${this.#options.group}' ended on its own`),
          );
        }
      },
      (error) => {
        if (this.#subscription === subscription) this.#failAll(error);
      },
    );
    this.#bus.logger.info("fleet bus: group {group} on {topics} serves {models} models", {
      group: this.#options.group,
      topics: this.#options.topics.join(", "),
      models: this.#bus.models.length,
    });
  }

  /** The group's consumer failed: every child on it fails (and restarts, joining again). */
  #failAll(error: unknown): void {
    this.#subscription = null;
    for (const member of [...this.#members.values()]) member.fail(error);
  }

  /**
   * Reads, once, the groups the fleet's children used before the bus, for the partitions where
   * this group has committed nothing yet.
   */
  async #readFloors(): Promise<void> {
    if (this.#floorsRead) return;
    const { transport, models } = this.#bus;
    const { group, topics } = this.#options;
    for (const topic of topics) {
      const own = await transport.committedOffsets(group, topic);
      if (own.every((offset) => offset >= 0)) continue;
      const floors = new Map<string, number[]>();
      for (const model of models) {
        const old = await transport.committedOffsets(`${group}.${model}`, topic);
        const floor = old.map((offset, partition) => own[partition] < 0 ? offset : -1);
        if (floor.some((offset) => offset >= 0)) floors.set(model, floor);
      }
      if (floors.size > 0) this.#floors.set(topic, floors);
    }
    this.#floorsRead = true;
  }

  /**
   * Splits a batch by model in one pass over its records and hands each part to its child;
   * resolves once all handled it. A child whose model the batch does not concern is not called.
   */
  async #handle(records: ConsumedRecord[], batch: BatchContext): Promise<void> {
    const { models, modelOf, partsOf } = this.#bus;
    const parts = new Map<string, ConsumedRecord[]>();
    const add = (model: string, record: ConsumedRecord) => {
      const floor = this.#floors.get(record.topic)?.get(model)?.[record.partition] ?? -1;
      if (record.offset < floor) return;
      let part = parts.get(model);
      if (part === undefined) parts.set(model, part = []);
      part.push(record);
    };
    for (const record of records) {
      let split: ReadonlyMap<string, ConsumedRecord> | undefined | null;
      try {
        split = partsOf?.(record);
      } catch {
        split = null;
      }
      if (split) {
        for (const [model, part] of split) if (this.#models.has(model)) add(model, part);
        continue;
      }
      const model = split === null ? null : modelOf(record);
      if (model === null) add(models[0], record);
      else if (model === "") { for (const m of models) add(m, record); }
      else if (this.#models.has(model)) add(model, record);
    }
    await Promise.all([...parts].map(([model, part]) => this.#deliver(model, part, batch)));
  }

  /** Hands `model`'s child its part, again to its next incarnation if it crashed on it. */
  async #deliver(model: string, part: ConsumedRecord[], batch: BatchContext): Promise<void> {
    for (;;) {
      const member = await this.#present(model, batch);
      try {
        return await member.handle(part, batch);
      } catch (error) {
        member.fail(error);
      }
    }
  }

  /** Waits (heartbeating) until `model`'s child is in, for up to `waitMs`. */
  async #present(model: string, batch: BatchContext): Promise<Member> {
    const deadline = Date.now() + this.#bus.waitMs;
    let logged = false;
    for (;;) {
      const member = this.#members.get(model);
      if (member?.present) return member;
      if (batch.stopping.aborted) {
        throw new Error(
          `group '${this.#options.group}' stopped while waiting for model '${model}'`,
        );
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `model '${model}' did not come back to group '${this.#options.group}' within ` +
            `${this.#bus.waitMs} ms: the batch is left to the group's next consumer`,
        );
      }
      if (!logged) {
        logged = true;
        this.#bus.logger.info("fleet bus: group {group} waits for model {model} to come back", {
          group: this.#options.group,
          model,
        });
      }
      const timer = Promise.withResolvers<void>();
      const handle = setTimeout(timer.resolve, HEARTBEAT_MS);
      const onStop = () => timer.resolve();
      batch.stopping.addEventListener("abort", onStop, { once: true });
      await Promise.race([this.#arrived.promise, timer.promise]);
      clearTimeout(handle);
      batch.stopping.removeEventListener("abort", onStop);
      await batch.heartbeat();
    }
  }
}
