import assert from "node:assert/strict";
import avro from "avsc";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import type { MessageType, PayloadTypes } from "../../protocol/messages.ts";
import { envelopeAvroType, payloadAvroTypes } from "../../protocol/schemas.ts";
import { commandsByKind, reportsByKind, samples } from "./message_samples.ts";

const messageTypes = Object.keys(samples) as MessageType[];

/** The union of records that carries a `kind`-discriminated payload (FactoryCommand/Report). */
function kindBranches(type: MessageType): avro.types.RecordType[] {
  const union = payloadAvroTypes[type].fields[0].type as avro.types.WrappedUnionType;
  return union.types as avro.types.RecordType[];
}

function unqualified(name: string | undefined): string {
  return (name ?? "").slice((name ?? "").lastIndexOf(".") + 1);
}

/** Asserts the value's keys are exactly the record's field names, at every nesting level. */
function assertSameFields(type: avro.Type, value: unknown, path: string): void {
  if (type instanceof avro.types.RecordType) {
    const record = value as Record<string, unknown>;
    const fields = type.fields.map((field) => field.name).sort();
    assert.deepEqual(Object.keys(record).sort(), fields, `fields of ${path}`);
    for (const field of type.fields) {
      assertSameFields(field.type, record[field.name], `${path}.${field.name}`);
    }
  } else if (type instanceof avro.types.ArrayType) {
    (value as unknown[]).forEach((item, i) =>
      assertSameFields(type.itemsType, item, `${path}[${i}]`)
    );
  } else if (type instanceof avro.types.UnwrappedUnionType && value !== null) {
    const branch = type.types.find((candidate) => candidate.isValid(value));
    assert.ok(branch, `${path} fits no branch of its union`);
    assertSameFields(branch, value, path);
  }
}

Deno.test("every payload schema is the record retune.<Type>", { permissions: "none" }, () => {
  assert.deepEqual(Object.keys(payloadAvroTypes).sort(), [...messageTypes].sort());
  for (const type of messageTypes) assert.equal(payloadAvroTypes[type].name, `retune.${type}`);
  assert.equal(envelopeAvroType.name, "retune.Envelope");
});

for (const type of messageTypes) {
  Deno.test(`${type} samples round-trip deep-equal`, { permissions: "none" }, () => {
    for (const sample of samples[type]) {
      assert.deepStrictEqual(decodePayload(type, encodePayload(type, sample)), sample);
    }
  });

  Deno.test(
    `${type} schema fields equal the TypeScript sample's keys`,
    { permissions: "none" },
    () => {
      for (const sample of samples[type]) {
        if (type === "FactoryCommand" || type === "FactoryReport") {
          const { kind, ...fields } = sample as { kind: string };
          const branch = kindBranches(type).find((branch) => unqualified(branch.name) === kind);
          assert.ok(branch, `${type} has no branch for kind ${kind}`);
          assertSameFields(branch, fields, `${type}(${kind})`);
        } else if (type === "StreamEventBatch") {
          // Written column-wise (protocol/codec.ts): each event's attributes become `values`
          // beside the batch's `names`; every other field is the StreamEvent's own.
          const batch = payloadAvroTypes.StreamEventBatch;
          assert.deepEqual(batch.fields.map((f) => f.name).sort(), ["events", "names"]);
          const row = (batch.field("events")!.type as avro.types.ArrayType).itemsType;
          const { events } = sample as PayloadTypes["StreamEventBatch"];
          for (const [i, { attributes, ...fields }] of events.entries()) {
            assertSameFields(row, { ...fields, values: Object.values(attributes) }, `events[${i}]`);
          }
          const eventFields = payloadAvroTypes.StreamEvent.fields.map((f) => f.name);
          assert.deepEqual(
            (row as avro.types.RecordType).fields.map((f) => f.name),
            eventFields.map((name) => (name === "attributes" ? "values" : name)),
          );
        } else {
          assertSameFields(payloadAvroTypes[type], sample, type);
        }
      }
    },
  );
}

Deno.test(
  "the kind unions have exactly one branch per TypeScript kind",
  { permissions: "none" },
  () => {
    const branchKinds = (type: MessageType) =>
      kindBranches(type).map((b) => unqualified(b.name)).sort();
    assert.deepEqual(branchKinds("FactoryCommand"), Object.keys(commandsByKind).sort());
    assert.deepEqual(branchKinds("FactoryReport"), Object.keys(reportsByKind).sort());
  },
);

Deno.test("decoded records are plain objects", { permissions: "none" }, () => {
  const [report] = samples.MetricsReport;
  const decoded = decodePayload("MetricsReport", encodePayload("MetricsReport", report));
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.equal(Object.getPrototypeOf(decoded.batch), Object.prototype);
});
