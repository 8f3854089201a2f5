/**
 * An actor's mailbox: its topic consumed through the actor's context, each record decoded before
 * the handler sees it. A record that does not decode is published to a dead-letter topic (or, for
 * a mailbox whose records another role already dead-letters, only logged) and skipped, so one bad
 * message cannot wedge the actor in a crash-and-redeliver loop.
 *
 * A record whose handling crashes the actor (a failure `classify` calls a crash, not a retriable
 * outage or a fatal error) crashes it once: the batch's records become suspects (`suspects.ts`)
 * and the restarted actor's mailbox handles each suspect alone. A suspect that crashes again is
 * poison: it is dead-lettered with the reason and the mailbox moves past it, so the same record
 * never crashes a role twice. A retriable failure crashes the actor and its batch is redelivered
 * after the restart, as often as the restart intensity allows.
 *
 * @module
 */

import type { BatchContext, ConsumedRecord, Subscription } from "../../transport/transport.ts";
import type { ActorContext } from "./actor.ts";
import { classify, describeFailure } from "./failure.ts";
import { Suspects } from "./suspects.ts";

/** A decoded message and the record it came in. */
export interface Delivery<T> {
  message: T;
  record: ConsumedRecord;
}

/** What to consume, how to decode it and where undecodable records go. */
export interface MailboxOptions<T> {
  topic: string;
  group: string;
  /** Where a new group starts. Default `earliest`. */
  start?: "earliest" | "latest";
  maxBatch?: number;
  /** Turns a record's bytes into a message; throwing marks the record undecodable. */
  decode(bytes: Uint8Array): T;
  /** Where undecodable records go; absent when another reader of the topic dead-letters them. */
  deadLetterTopic?: string;
  /** Where records whose handling crashed go. Default `deadLetterTopic`; absent both: logged. */
  poisonTopic?: string;
  /** The dead-letter record's value for a record and the reason it failed. */
  toDeadLetter(record: ConsumedRecord, reason: string): Uint8Array;
  /** Handles the decoded messages of one batch, in partition order; offsets commit after it. */
  handler(deliveries: Delivery<T>[], context: BatchContext): Promise<void> | void;
}

/** The part of an actor's context a mailbox uses. */
export type MailboxActor =
  & Pick<ActorContext, "subscribe" | "publish" | "logger">
  & Partial<Pick<ActorContext, "suspects">>;

/** Subscribes to a mailbox through the actor's context (so the runtime tracks the subscription). */
export async function subscribeMailbox<T>(
  actor: MailboxActor,
  options: MailboxOptions<T>,
): Promise<Subscription> {
  const { topic, group, start, maxBatch, decode, deadLetterTopic, toDeadLetter, handler } = options;
  const poisonTopic = options.poisonTopic ?? deadLetterTopic;
  for (
    const [name, value] of [["deadLetterTopic", deadLetterTopic], ["poisonTopic", poisonTopic]]
  ) {
    if (value === topic) {
      throw new RangeError(
        `${name} must differ from the mailbox topic: current value is '${value}'`,
      );
    }
  }
  const suspects = actor.suspects ?? new Suspects();
  const reject = async (
    rejected: { record: ConsumedRecord; reason: string }[],
    to: string | undefined,
    what: string,
  ) => {
    for (const { record, reason } of rejected) {
      actor.logger.warn(`${what} record {topic}/{partition}@{offset} skipped: {reason}`, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        reason,
      });
    }
    if (to === undefined || rejected.length === 0) return;
    await actor.publish(
      to,
      rejected.map(({ record, reason }) => ({
        key: record.key,
        value: toDeadLetter(record, reason),
      })),
    );
  };
  /** Handles one delivery; a crash dead-letters it, anything else is the actor's failure. */
  const handleAlone = async (delivery: Delivery<T>, context: BatchContext) => {
    try {
      await handler([delivery], context);
    } catch (error) {
      if (classify(error).kind !== "crash") throw error;
      const reason = `handling failed: ${describeFailure(error)}`;
      await reject([{ record: delivery.record, reason }], poisonTopic, "poison");
    }
    suspects.clear(group, delivery.record);
  };
  return await actor.subscribe({
    group,
    topics: [topic],
    start,
    maxBatch,
    handler: async (records, context) => {
      const deliveries: Delivery<T>[] = [];
      const dead: { record: ConsumedRecord; reason: string }[] = [];
      for (const record of records) {
        try {
          deliveries.push({ message: decode(record.value), record });
        } catch (error) {
          dead.push({ record, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      await reject(dead, deadLetterTopic, "undecodable");
      if (deliveries.length === 0) return;
      if (deliveries.some((d) => suspects.has(group, d.record))) {
        for (const delivery of deliveries) await handleAlone(delivery, context);
        return;
      }
      try {
        await handler(deliveries, context);
      } catch (error) {
        // Which record crashed is not known, nor whether it crashes again (a restart may cure
        // it): the restarted actor handles each one alone.
        if (classify(error).kind === "crash") suspects.mark(group, records);
        throw error;
      }
    },
  });
}
