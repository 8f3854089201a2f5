/**
 * The schema-registry wire format, behind the transport port: a Transport that frames every
 * record of a registered topic as Confluent's serializers do (magic byte 0, the schema id as 4
 * bytes big-endian, then the Avro body) on the way out, and reads the frame on the way in, so the
 * roles and the codec work as they do without a registry, and kcat or Kafka UI decode the topics.
 *
 * A record written with today's schema (the id this process registered for its topic) reaches
 * its reader as the body alone. One written with another schema (an older writer) is resolved to
 * today's by the codec (`resolvingReader`), with the writer's schema fetched by its id once and
 * cached. A record whose frame is wrong (another magic byte, too short, an id the registry does
 * not know, a schema that does not resolve) is marked undecodable with the reason
 * (`refuseBytes`), so the reading role dead-letters it as any bad record. A registry that cannot
 * be reached fails the batch (SchemaRegistryUnavailableError, retriable): it is read again.
 *
 * @module
 */

import { DecodeError, type RecordType, refuseBytes, resolvingReader } from "../protocol/codec.ts";
import type { SchemaRegistryClient } from "../protocol/schema_registry_client.ts";
import type {
  BatchContext,
  ConsumedRecord,
  OutgoingRecord,
  SubscribeOptions,
  Subscription,
  TopicRecords,
  Transport,
} from "./transport.ts";

/** A registered topic: its records' type and the id of today's schema for them. */
export interface FramedTopic {
  type: RecordType;
  id: number;
}

/** The magic byte of Confluent's wire format. */
export const MAGIC_BYTE = 0;
/** Bytes before the Avro body: the magic byte and the schema id. */
export const HEADER_BYTES = 5;

/** `body` framed with schema `id`. */
export function frame(id: number, body: Uint8Array): Uint8Array {
  const framed = new Uint8Array(HEADER_BYTES + body.length);
  new DataView(framed.buffer).setUint32(1, id);
  framed[0] = MAGIC_BYTE;
  framed.set(body, HEADER_BYTES);
  return framed;
}

/** Reads bodies written with other schemas: today's encoding, or why a body cannot be read. */
type BodyReader = ((body: Uint8Array) => Uint8Array) | { refused: string };

/** A transport whose registered topics carry framed records (module doc). */
export class FramedTransport implements Transport {
  readonly #inner: Transport;
  readonly #topics: ReadonlyMap<string, FramedTopic>;
  readonly #registry: Pick<SchemaRegistryClient, "url" | "schema">;
  /** Readers by record type and writer schema id, each fetched once. */
  readonly #readers = new Map<string, Promise<BodyReader>>();

  /** Frames `topics` (by name) over `inner`, fetching writers' schemas from `registry`. */
  constructor(
    inner: Transport,
    topics: ReadonlyMap<string, FramedTopic>,
    registry: Pick<SchemaRegistryClient, "url" | "schema">,
  ) {
    this.#inner = inner;
    this.#topics = topics;
    this.#registry = registry;
  }

  publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    return this.#inner.publish(topic, this.#framed(topic, records));
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.#inner.subscribe({
      ...options,
      handler: async (records, context) =>
        options.handler(await this.#unframed(records), this.#framingContext(context)),
    });
  }

  partitions(topic: string): Promise<number> {
    return this.#inner.partitions(topic);
  }

  endOffsets(topic: string): Promise<number[]> {
    return this.#inner.endOffsets(topic);
  }

  committedOffsets(group: string, topic: string): Promise<number[]> {
    return this.#inner.committedOffsets(group, topic);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #framed(topic: string, records: OutgoingRecord[]): OutgoingRecord[] {
    const registered = this.#topics.get(topic);
    if (registered === undefined) return records;
    return records.map((record) => ({ ...record, value: frame(registered.id, record.value) }));
  }

  #framingContext(context: BatchContext): BatchContext {
    return {
      heartbeat: () => context.heartbeat(),
      stopping: context.stopping,
      commit: (outputs: TopicRecords[]) =>
        context.commit(outputs.map(({ topic, records }) => ({
          topic,
          records: this.#framed(topic, records),
        }))),
    };
  }

  async #unframed(records: ConsumedRecord[]): Promise<ConsumedRecord[]> {
    const out: ConsumedRecord[] = [];
    for (const record of records) {
      const registered = this.#topics.get(record.topic);
      if (registered === undefined) {
        out.push(record);
        continue;
      }
      const id = this.#schemaId(record.value);
      if (id === undefined) out.push(record);
      // Today's schema, the usual case: the body as it is, no wait.
      else if (id === registered.id) {
        out.push({ ...record, value: record.value.subarray(HEADER_BYTES) });
      } else out.push(await this.#resolved(record, registered.type, id));
    }
    return out;
  }

  /** The schema id of a framed value; undefined, with the value refused, when it is not framed. */
  #schemaId(value: Uint8Array): number | undefined {
    if (value.length >= HEADER_BYTES && value[0] === MAGIC_BYTE) {
      return new DataView(value.buffer, value.byteOffset, value.length).getUint32(1);
    }
    refuseBytes(
      value,
      value.length < HEADER_BYTES
        ? `not in the schema-registry wire format: ${value.length} bytes, fewer than its ` +
          `${HEADER_BYTES}-byte header`
        : `not in the schema-registry wire format: magic byte ${hex(value[0])}, expected ` +
          hex(MAGIC_BYTE),
    );
    return undefined;
  }

  /** A record written with schema `id`, not today's: its body resolved to today's encoding. */
  async #resolved(record: ConsumedRecord, type: RecordType, id: number): Promise<ConsumedRecord> {
    const { value } = record;
    const body = value.subarray(HEADER_BYTES);
    const reader = await this.#reader(type, id);
    if (typeof reader !== "function") {
      refuseBytes(value, reader.refused);
      return record;
    }
    try {
      return { ...record, value: reader(body) };
    } catch (error) {
      refuseBytes(value, `schema id ${id}: ${reasonOf(error)}`);
      return record;
    }
  }

  #reader(type: RecordType, id: number): Promise<BodyReader> {
    const key = `${type}@${id}`;
    let reader = this.#readers.get(key);
    if (reader === undefined) {
      reader = this.#fetchReader(type, id);
      this.#readers.set(key, reader);
      // An unreachable registry is asked again next time.
      reader.catch(() => this.#readers.delete(key));
    }
    return reader;
  }

  async #fetchReader(type: RecordType, id: number): Promise<BodyReader> {
    const schema = await this.#registry.schema(id);
    if (schema === undefined) {
      return {
        refused: `unknown schema id ${id}: the schema registry at ${this.#registry.url} has none`,
      };
    }
    try {
      return resolvingReader(type, schema);
    } catch (error) {
      return { refused: `schema id ${id}: ${reasonOf(error)}` };
    }
  }
}

function reasonOf(error: unknown): string {
  return error instanceof DecodeError ? error.reason : (error as Error).message;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}
