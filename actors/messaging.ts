/**
 * How roles talk: typed envelopes on mailbox topics, bare payloads on data topics, and dead
 * letters for anything that does not decode. Every role sends and receives through these helpers,
 * so the codec is used in exactly one way.
 *
 * @module
 */

import {
  type DataType,
  decodeData,
  decodeSharedEnvelope,
  encodeEnvelope,
  encodePayload,
  newEnvelope,
} from "../protocol/codec.ts";
import { deadLetterOf } from "./dead_letter.ts";
import type { Envelope, MessageType, PayloadTypes } from "../protocol/messages.ts";
import type { BatchContext, ConsumedRecord, Subscription } from "../transport/transport.ts";
import type { ActorContext } from "./runtime/actor.ts";
import { subscribeMailbox } from "./runtime/mailbox.ts";

/**
 * The dead-letter record for a record that could not be decoded or handled, or for one `item` of
 * a batched record (see `deadLetterOf`).
 */
export function deadLetterBytes(
  record: ConsumedRecord,
  reason: string,
  item?: { key: string; value: Uint8Array },
): Uint8Array {
  return encodePayload("DeadLetter", deadLetterOf(record, reason, item));
}

/**
 * Publishes one envelope of `type` to a mailbox topic, about `options.model` (default: the
 * actor's fleet model, or the whole deployment).
 */
export async function send<T extends MessageType>(
  context: ActorContext,
  topic: string,
  type: T,
  payload: PayloadTypes[T],
  options: { key?: string | null; correlationId?: string | null; model?: string } = {},
): Promise<Envelope<T>> {
  const model = options.model ?? context.model ?? "";
  const envelope = newEnvelope(type, context.name, payload, options.correlationId ?? null, model);
  await context.publish(topic, [{ key: options.key ?? null, value: encodeEnvelope(envelope) }]);
  return envelope;
}

/**
 * Subscribes to a mailbox whose envelopes must all be of `type`; others are dead-lettered. An
 * actor serving a fleet model sees only envelopes about its model or the whole deployment.
 */
export function receive<T extends MessageType>(
  context: ActorContext,
  options: {
    topic: string;
    group: string;
    type: T;
    deadLetterTopic: string;
    start?: "earliest" | "latest";
    handler: (messages: Envelope<T>[], batch: BatchContext) => Promise<void>;
  },
): Promise<Subscription> {
  return subscribeMailbox<Envelope<T>>(context, {
    topic: options.topic,
    group: options.group,
    start: options.start,
    deadLetterTopic: options.deadLetterTopic,
    toDeadLetter: deadLetterBytes,
    decode(bytes) {
      // Shared with the process's other readers of the record (a fleet's children): read-only.
      const envelope = decodeSharedEnvelope(bytes);
      if (envelope.type !== options.type) {
        throw new TypeError(
          `topic '${options.topic}' carries ${options.type}, got an envelope of ${envelope.type}`,
        );
      }
      return envelope as Envelope<T>;
    },
    handler: (deliveries, batch) => {
      const { model } = context;
      const messages = deliveries.map((d) => d.message)
        .filter((m) => model === undefined || m.model === "" || m.model === model);
      return messages.length === 0 ? Promise.resolve() : options.handler(messages, batch);
    },
  });
}

/**
 * Subscribes to a data topic of bare `type` payloads (no envelope: these are high-volume). The
 * payloads may be shared with other roles in this process (`decodeData`): read-only.
 */
export function receiveData<T extends DataType>(
  context: ActorContext,
  options: {
    topic: string;
    group: string;
    type: T;
    /** Absent when another reader of the topic dead-letters its records. */
    deadLetterTopic?: string;
    /** Where records whose handling crashed go (default `deadLetterTopic`). */
    poisonTopic?: string;
    start?: "earliest" | "latest";
    maxBatch?: number;
    handler: (
      items: { message: PayloadTypes[T]; record: ConsumedRecord }[],
      batch: BatchContext,
    ) => Promise<void>;
  },
): Promise<Subscription> {
  return subscribeMailbox<PayloadTypes[T]>(context, {
    topic: options.topic,
    group: options.group,
    start: options.start,
    maxBatch: options.maxBatch,
    deadLetterTopic: options.deadLetterTopic,
    poisonTopic: options.poisonTopic,
    toDeadLetter: deadLetterBytes,
    decode: (bytes) => decodeData(options.type, bytes),
    handler: options.handler,
  });
}
