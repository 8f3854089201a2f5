/**
 * The one codec of Retune's protocol: payloads and envelopes to and from Avro bytes, with the
 * compiled schemas of `protocol/schemas.ts`.
 *
 * Payloads are checked against their schema as they are written: an invalid value throws a
 * TypeError naming the field and its value, and no bytes come out. Bytes that do not decode
 * throw a DecodeError saying why.
 *
 * @module
 */

import avro from "avsc";
import { Buffer } from "node:buffer";
import { nanoid } from "nanoid";
import type {
  AnyEnvelope,
  DeadLetter,
  EngineCheckpoint,
  Envelope,
  ForecastBatch,
  MessageType,
  PayloadTypes,
  StreamEventBatch,
} from "./messages.ts";
import type { AttributeValue, StreamEvent } from "../core/events.ts";
import {
  compileWriterSchema,
  envelopeAvroType,
  payloadAvroTypes,
  priorEngineCheckpointAvroType,
  priorEnvelopeAvroType,
  priorForecastBatchAvroType,
} from "./schemas.ts";

/** Bytes that are not a valid encoding of the expected message; `reason` says why. */
export class DecodeError extends Error {
  override readonly name = "DecodeError";

  /** Describes bytes that failed to decode as `messageType` (a payload type or "Envelope"). */
  constructor(readonly messageType: string, readonly reason: string) {
    super(`cannot decode ${messageType}: ${reason}`);
  }
}

/** Encodes a payload with its type's schema; throws a TypeError naming any invalid field. */
export function encodePayload<T extends MessageType>(type: T, value: PayloadTypes[T]): Uint8Array {
  return encode(type, formOf(type), value);
}

/** Decodes a payload written with its type's schema; throws a DecodeError if it cannot. */
export function decodePayload<T extends MessageType>(type: T, bytes: Uint8Array): PayloadTypes[T] {
  try {
    return decode(type, formOf(type), bytes) as PayloadTypes[T];
  } catch (error) {
    const prior = isMessageType(type) ? priorReaders[type] : undefined;
    if (prior === undefined) throw error;
    try {
      return prior(bytes) as PayloadTypes[T];
    } catch {
      throw error;
    }
  }
}

/** A payload type carried bare and batched on a data topic (input, output). */
export type DataType = "StreamEventBatch" | "ForecastBatch";

/**
 * Data payloads by the bytes they were encoded to or decoded from. Roles in one process read the
 * very bytes another role wrote (the in-process transport hands records over as they are), so the
 * payload is decoded at most once per process however many roles read it. Readers therefore get a
 * shared value and must not modify it. Bytes from Kafka are fresh buffers and miss.
 */
const dataPayloads = new WeakMap<Uint8Array, { type: DataType; payload: unknown }>();

/** Encodes a data payload, remembering it beside its bytes for readers in this process. */
export function encodeData<T extends DataType>(type: T, payload: PayloadTypes[T]): Uint8Array {
  const bytes = encodePayload(type, payload);
  dataPayloads.set(bytes, { type, payload });
  return bytes;
}

/**
 * The data payload of `bytes`, decoded unless this process encoded or decoded these very bytes
 * before; a shared value, read-only. Throws a DecodeError if the bytes do not decode.
 */
export function decodeData<T extends DataType>(type: T, bytes: Uint8Array): PayloadTypes[T] {
  const known = dataPayloads.get(bytes);
  if (known?.type === type) return known.payload as PayloadTypes[T];
  const payload = decodePayload(type, bytes);
  dataPayloads.set(bytes, { type, payload });
  return payload;
}

/** What one topic's records are: envelopes (mailbox topics) or bare payloads of one type. */
export type RecordType = "Envelope" | MessageType;

/**
 * The Avro schema (JSON text, shared named types inline) that records of `type` are written
 * with today: what a schema registry holds for a topic of them.
 */
export function writerSchema(type: RecordType): string {
  return JSON.stringify(recordAvroType(type).schema({ exportAttrs: true }));
}

/**
 * A reader of record bodies written with another schema (`schema`, Avro JSON text, e.g. an older
 * version fetched from a schema registry): it resolves each body to today's schema of `type` by
 * Avro's rules (a field the writer lacked takes its default) and returns today's encoding, which
 * every decode function reads. Throws a DecodeError when the two schemas cannot be resolved; the
 * reader throws one for a body that does not decode.
 */
export function resolvingReader(
  type: RecordType,
  schema: string,
): (body: Uint8Array) => Uint8Array {
  const reader = recordAvroType(type);
  let resolver: ReturnType<avro.Type["createResolver"]>;
  try {
    resolver = reader.createResolver(compileWriterSchema(schema));
  } catch (error) {
    throw new DecodeError(
      type,
      `the writer's schema does not resolve to today's: ${messageOf(error)}`,
    );
  }
  return (body) => {
    const buffer = asBuffer(body);
    let decoded: { value: unknown; offset: number };
    try {
      decoded = reader.decode(buffer, 0, resolver);
    } catch (error) {
      throw new DecodeError(type, `malformed under the writer's schema (${messageOf(error)})`);
    }
    if (decoded.offset !== buffer.length) {
      throw new DecodeError(type, "the body does not end where the writer's schema says");
    }
    return toBytes(reader, decoded.value);
  };
}

/**
 * Marks `bytes` undecodable for `reason` (e.g. a record whose schema-registry framing is wrong):
 * every decode function then refuses these very bytes with a DecodeError giving the reason, so
 * the record is dead-lettered like any other bad record.
 */
export function refuseBytes(bytes: Uint8Array, reason: string): void {
  refused.set(bytes, reason);
  dataPayloads.delete(bytes);
}

const refused = new WeakMap<Uint8Array, string>();

function recordAvroType(type: RecordType): avro.types.RecordType {
  if (type === "Envelope") return envelopeAvroType;
  return formOf(type).avro;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A new envelope for a payload, with a fresh id and the current wall-clock time. */
export function newEnvelope<T extends MessageType>(
  type: T,
  sender: string,
  payload: PayloadTypes[T],
  correlationId: string | null = null,
  model = "",
): Envelope<T> {
  return { id: nanoid(), type, sender, sentAt: Date.now(), correlationId, payload, model };
}

/** Encodes an envelope, its payload with the payload type's schema. */
export function encodeEnvelope<T extends MessageType>(envelope: Envelope<T>): Uint8Array {
  const payload = encodePayload(envelope.type, envelope.payload);
  return encode("Envelope", envelopeForm, { ...envelope, payload });
}

/**
 * Envelopes by the bytes they were decoded from: a fleet's per-model children are handed the
 * very same record (an envelope about every model goes to each of them), so it is decoded once.
 */
const sharedEnvelopes = new WeakMap<Uint8Array, AnyEnvelope>();

/**
 * The envelope of `bytes`, decoded unless this process decoded these very bytes before: a shared
 * value, frozen (envelope and payload), read-only. Throws as `decodeEnvelope`.
 */
export function decodeSharedEnvelope(bytes: Uint8Array): AnyEnvelope {
  let envelope = sharedEnvelopes.get(bytes);
  if (envelope === undefined) {
    envelope = decodeEnvelope(bytes);
    Object.freeze(envelope.payload);
    sharedEnvelopes.set(bytes, Object.freeze(envelope));
  }
  return envelope;
}

/**
 * Decodes an envelope and its payload; throws a DecodeError if either cannot be decoded. An
 * envelope written before the `model` field (it ends after the payload) reads with model "".
 */
export function decodeEnvelope(bytes: Uint8Array): AnyEnvelope {
  let envelope: RawEnvelope;
  try {
    envelope = decode("Envelope", envelopeForm, bytes) as RawEnvelope;
  } catch (error) {
    try {
      envelope = { ...(decode("Envelope", priorEnvelopeForm, bytes) as RawEnvelope), model: "" };
    } catch {
      throw error;
    }
  }
  if (!isMessageType(envelope.type)) {
    throw new DecodeError("Envelope", `unknown payload type ${JSON.stringify(envelope.type)}`);
  }
  const payload = decode(envelope.type, formOf(envelope.type), envelope.payload);
  return { ...envelope, type: envelope.type, payload } as AnyEnvelope;
}

/** True if `name` is the name of a payload type. */
export function isMessageType(name: string): name is MessageType {
  return Object.hasOwn(forms, name);
}

/** An envelope as its Avro type reads it: the payload still encoded. */
type RawEnvelope = Omit<Envelope, "payload"> & { type: string; payload: Buffer };

/**
 * How the TypeScript values of one message type map onto the values its Avro type writes and
 * reads, where the two differ.
 */
interface AvroForm {
  readonly avro: avro.types.RecordType;
  toAvro(value: unknown): unknown;
  fromAvro(value: unknown): unknown;
  /** Path of a field in the TypeScript value, from its path in the Avro value. */
  tsPath(avroPath: string[]): string[];
}

const forms: { readonly [T in MessageType]: AvroForm } = {
  StreamEvent: sameForm(payloadAvroTypes.StreamEvent),
  Forecast: sameForm(payloadAvroTypes.Forecast),
  StreamEventBatch: eventBatchForm(payloadAvroTypes.StreamEventBatch),
  ForecastBatch: sameForm(payloadAvroTypes.ForecastBatch),
  EnginePosition: sameForm(payloadAvroTypes.EnginePosition),
  EngineCheckpoint: sameForm(payloadAvroTypes.EngineCheckpoint),
  MetricsReport: sameForm(payloadAvroTypes.MetricsReport),
  WindowCounts: sameForm(payloadAvroTypes.WindowCounts),
  Instruction: sameForm(payloadAvroTypes.Instruction),
  FactoryCommand: kindUnionForm("FactoryCommand", payloadAvroTypes.FactoryCommand),
  FactoryReport: kindUnionForm("FactoryReport", payloadAvroTypes.FactoryReport),
  CandidateJob: sameForm(payloadAvroTypes.CandidateJob),
  CandidateResult: sameForm(payloadAvroTypes.CandidateResult),
  ModelVersion: sameForm(payloadAvroTypes.ModelVersion),
  DatasetVersion: sameForm(payloadAvroTypes.DatasetVersion),
  DatasetAssembled: sameForm(payloadAvroTypes.DatasetAssembled),
  DeadLetter: deadLetterForm(payloadAvroTypes.DeadLetter),
};

const envelopeForm = sameForm(envelopeAvroType);
const priorEnvelopeForm = sameForm(priorEnvelopeAvroType);
const priorForecastBatchForm = sameForm(priorForecastBatchAvroType);
const priorEngineCheckpointForm = sameForm(priorEngineCheckpointAvroType);

/** Readers of payloads written with an earlier schema, tried when today's refuses the bytes. */
const priorReaders: { readonly [T in MessageType]?: (bytes: Uint8Array) => PayloadTypes[T] } = {
  ForecastBatch: (bytes) => ({
    ...(decode("ForecastBatch", priorForecastBatchForm, bytes) as ForecastBatch),
    model: "",
  }),
  EngineCheckpoint: (bytes) => ({
    ...(decode("EngineCheckpoint", priorEngineCheckpointForm, bytes) as EngineCheckpoint),
    window: "",
  }),
};

function formOf(type: MessageType): AvroForm {
  if (!isMessageType(type)) {
    throw new TypeError(`type must be a message type: current value is ${describeValue(type)}`);
  }
  return forms[type];
}

/** The TypeScript value is the Avro value. */
function sameForm(type: avro.types.RecordType): AvroForm {
  return {
    avro: type,
    toAvro: (value) => value,
    fromAvro: (value) => value,
    tsPath: (path) => path,
  };
}

/**
 * A TypeScript union discriminated by `kind`, written as a record whose one field is a union of
 * records, each named after the kind it carries (e.g. `retune.factory_command.opt_step`).
 */
function kindUnionForm(name: string, type: avro.types.RecordType): AvroForm {
  const [field] = type.fields;
  const branches = new Map(
    (field.type as avro.types.WrappedUnionType).types.map((branch) => {
      const fullName = branch.name ?? "";
      return [fullName.slice(fullName.lastIndexOf(".") + 1), fullName];
    }),
  );
  return {
    avro: type,
    toAvro(value) {
      const kind = (value as { kind?: unknown } | null)?.kind;
      const branch = typeof kind === "string" ? branches.get(kind) : undefined;
      if (branch === undefined) {
        const kinds = [...branches.keys()].join(", ");
        throw new TypeError(
          `${name}.kind must be one of ${kinds}: current value is ${describeValue(kind)}`,
        );
      }
      // The branch record ignores the extra `kind` property, so the value needs no copy.
      return { [field.name]: { [branch]: value } };
    },
    fromAvro(value) {
      const wrapped = (value as Record<string, Record<string, object>>)[field.name];
      const [[branch, fields]] = Object.entries(wrapped);
      return { kind: branch.slice(branch.lastIndexOf(".") + 1), ...fields };
    },
    // Drops the union field and the branch name.
    tsPath: (path) => path.slice(2),
  };
}

/** A StreamEventBatch as its Avro type reads and writes it: column-wise attributes. */
interface AvroEventBatch {
  names: string[];
  events: { key: string; timestamp: number; type: string; values: (AttributeValue | null)[] }[];
}

/**
 * A StreamEventBatch is written column-wise: every attribute name of the batch once, then per
 * event its values in that order (null where it lacks one). Writing the names once per batch
 * rather than once per event more than halves the cost of encoding and decoding the input stream;
 * decoding pairs names and values back, so readers see ordinary events.
 */
function eventBatchForm(type: avro.types.RecordType): AvroForm {
  return {
    avro: type,
    toAvro(value) {
      if (typeof value !== "object" || value === null) return value;
      const { events } = value as StreamEventBatch;
      // Not a list of events: the full check names what is wrong.
      if (!Array.isArray(events)) return { names: [], events };
      // One pass: names are numbered as they first appear, and rows written before a name
      // appeared get null for it at the end. Events of one source list their attributes in one
      // order, so a name is usually at the place it had in the event before: no lookup then.
      const index = new Map<string, number>();
      const names: string[] = [];
      const written: (AttributeValue | null)[][] = [];
      const rows = events.map((event, i) => {
        if (typeof event?.attributes !== "object" || event.attributes === null) return event;
        const values: (AttributeValue | null)[] = [];
        written.push(values);
        const attributes = event.attributes;
        let at = 0;
        for (const name in attributes) {
          const attribute = attributes[name];
          if (typeof attribute !== "number" && typeof attribute !== "string") {
            throw new TypeError(
              `StreamEventBatch.events.${i}.attributes.${name} must be a number or a string: ` +
                `current value is ${describeValue(attribute)}`,
            );
          }
          let column = names[at] === name ? at : index.get(name);
          if (column === undefined) {
            column = names.push(name) - 1;
            index.set(name, column);
          }
          while (values.length < column) values.push(null);
          values[column] = attribute;
          at++;
        }
        return { key: event.key, timestamp: event.timestamp, type: event.type, values };
      });
      for (const values of written) while (values.length < names.length) values.push(null);
      return { names, events: rows };
    },
    fromAvro(value) {
      const { names, events } = value as AvroEventBatch;
      return {
        events: events.map((row): StreamEvent => {
          const attributes: Record<string, AttributeValue> = {};
          for (let i = 0; i < names.length; i++) {
            const attribute = row.values[i];
            if (attribute !== null) attributes[names[i]] = attribute;
          }
          return { key: row.key, timestamp: row.timestamp, type: row.type, attributes };
        }),
      };
    },
    // events.<i>.values.<j> is the j-th attribute of event i.
    tsPath: (path) => path.map((part) => (part === "values" ? "attributes" : part)),
  };
}

/** Avro `bytes` are Node Buffers in avsc; DeadLetter.original is a plain Uint8Array. */
function deadLetterForm(type: avro.types.RecordType): AvroForm {
  return {
    avro: type,
    toAvro(value) {
      const letter = value as DeadLetter;
      return letter?.original instanceof Uint8Array
        ? { ...letter, original: asBuffer(letter.original) }
        : value;
    },
    fromAvro(value) {
      const letter = value as DeadLetter;
      // A copy, so the letter does not pin the whole buffer it was decoded from.
      letter.original = new Uint8Array(letter.original);
      return letter;
    },
    tsPath: (path) => path,
  };
}

function encode(name: string, form: AvroForm, value: unknown): Buffer {
  const avroValue = form.toAvro(value);
  try {
    return toBytes(form.avro, avroValue);
  } catch (error) {
    // avsc's writers check every value they write, so the full check runs only to explain one.
    throw invalidValue(name, form, avroValue) ?? error;
  }
}

/**
 * Values are written into one reusable buffer, then copied out at their size into pooled memory:
 * avsc's `toBuffer` zero-fills a fresh buffer per value, which in Deno costs more than the
 * encoding itself on the event stream.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
let scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);

function toBytes(type: avro.Type, value: unknown): Buffer {
  let end = type.encode(value, scratch, 0);
  // A negative result is the number of bytes missing.
  while (end < 0) {
    scratch = Buffer.allocUnsafeSlow(Math.max(2 * scratch.length, scratch.length - end));
    scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);
    end = type.encode(value, scratch, 0);
  }
  const bytes = Buffer.allocUnsafe(end);
  bytes.set(scratchBytes.subarray(0, end));
  return bytes;
}

function invalidValue(name: string, form: AvroForm, avroValue: unknown): TypeError | undefined {
  const problems: string[] = [];
  form.avro.isValid(avroValue, {
    errorHook(path, found, expected) {
      const field = [name, ...form.tsPath(path)].join(".");
      problems.push(
        `${field} must be ${describeType(expected)}: current value is ${describeValue(found)}`,
      );
    },
  });
  return problems.length === 0 ? undefined : new TypeError(problems.join("; "));
}

function decode(name: string, form: AvroForm, bytes: Uint8Array): unknown {
  const refusal = refused.get(bytes);
  if (refusal !== undefined) throw new DecodeError(name, refusal);
  const buffer = asBuffer(bytes);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = form.avro.decode(buffer, 0);
  } catch (error) {
    throw new DecodeError(name, `malformed (${error instanceof Error ? error.message : error})`);
  }
  if (decoded.offset < 0) {
    throw new DecodeError(name, `truncated: ${buffer.length} bytes end inside the value`);
  }
  if (decoded.offset < buffer.length) {
    const trailing = buffer.length - decoded.offset;
    throw new DecodeError(name, `${trailing} trailing bytes after the value`);
  }
  return form.fromAvro(decoded.value);
}

/** A Buffer view of the same memory (avsc reads and writes Buffers). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function describeType(type: avro.Type): string {
  if (type instanceof avro.types.EnumType) return `one of ${type.symbols.join(", ")}`;
  const schema = type.schema();
  return type.name ?? (typeof schema === "string" ? schema : JSON.stringify(schema));
}

function describeValue(value: unknown): string {
  return Deno.inspect(value, { depth: 1, iterableLimit: 8, strAbbreviateSize: 80 });
}
