/**
 * An actor's mailbox: its topic consumed through the actor's context, each record decoded before
 * the handler sees it. A record that does not decode is published to a dead-letter topic (or, for
 * a mailbox whose records another role already dead-letters, only logged) and skipped, so one bad
 * message cannot wedge the actor in a crash-and-redeliver loop.
 *
 * @module
 */

import type { BatchContext, ConsumedRecord, Subscription } from "../../transport/transport.ts";
import type { ActorContext } from "./actor.ts";

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
  /** The dead-letter record's value for an undecodable record and the reason it failed. */
  toDeadLetter(record: ConsumedRecord, reason: string): Uint8Array;
  /** Handles the decoded messages of one batch, in partition order; offsets commit after it. */
  handler(deliveries: Delivery<T>[], context: BatchContext): Promise<void> | void;
}

/** Subscribes to a mailbox through the actor's context (so the runtime tracks the subscription). */
export async function subscribeMailbox<T>(
  actor: Pick<ActorContext, "subscribe" | "publish" | "logger">,
  options: MailboxOptions<T>,
): Promise<Subscription> {
  const { topic, group, start, maxBatch, decode, deadLetterTopic, toDeadLetter, handler } = options;
  if (deadLetterTopic === topic) {
    throw new RangeError(
      `deadLetterTopic must differ from the mailbox topic: current value is '${deadLetterTopic}'`,
    );
  }
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
      if (dead.length > 0) {
        for (const { record, reason } of dead) {
          actor.logger.warn(
            "undecodable record {topic}/{partition}@{offset} skipped: {reason}",
            {
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              reason,
            },
          );
        }
        if (deadLetterTopic !== undefined) {
          await actor.publish(
            deadLetterTopic,
            dead.map(({ record, reason }) => ({
              key: record.key,
              value: toDeadLetter(record, reason),
            })),
          );
        }
      }
      if (deliveries.length > 0) await handler(deliveries, context);
    },
  });
}
