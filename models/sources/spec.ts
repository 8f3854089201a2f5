/**
 * How a file of events maps onto StreamEvents: its format (CSV or JSON lines) and which
 * column or field is the partition key, the timestamp (and its unit), the event type, and which
 * attributes are numbers or strings (or, in JSON lines, which field nests them). Specs usually
 * come from configuration, so they are checked with a schema.
 *
 * @module
 */

import { z } from "zod";

const fieldName = z.string().min(1);

const sourceSpecSchema = z.object({
  format: z.enum(["csv", "jsonl"]),
  /** CSV only: the first line names the columns. */
  header: z.boolean().default(false),
  /** CSV only: column names in order, when there is no header line. */
  columns: z.array(fieldName).nullable().default(null),
  /** CSV only: the field separator. */
  delimiter: z.string().length(1).default(","),
  /** Field holding the partition value; null puts every event in partition "". */
  key: fieldName.nullable(),
  timestamp: z.object({ field: fieldName, unit: z.enum(["s", "ms"]) }),
  /** Field holding the event type; null gives every event the type "". */
  type: fieldName.nullable().default(null),
  numeric: z.array(fieldName).default([]),
  strings: z.array(fieldName).default([]),
  /**
   * JSON lines only: a field holding an object whose number and string entries are attributes,
   * as Retune writes events (`{"key", "timestamp", "type", "attributes": {...}}`).
   */
  attributes: fieldName.nullable().default(null),
  /**
   * What becomes of columns or fields the spec does not name: dropped, or kept as attributes
   * typed by their value (a number where the value is one, otherwise a string).
   */
  otherFields: z.enum(["drop", "infer"]).default("drop"),
}).superRefine((spec, context) => {
  if (spec.format === "csv" && spec.header === (spec.columns !== null)) {
    context.addIssue({
      code: "custom",
      message: "a csv source needs either header: true or a columns list, not both",
    });
  }
  if (spec.format === "jsonl" && (spec.header || spec.columns !== null)) {
    context.addIssue({
      code: "custom",
      message: "header and columns are for csv sources; a jsonl source names fields by key",
    });
  }
  if (spec.format === "csv" && spec.attributes !== null) {
    context.addIssue({
      code: "custom",
      message: `attributes '${spec.attributes}' is for jsonl sources; csv fields cannot nest`,
    });
  }
  if (spec.columns !== null) {
    for (const field of fieldsOf(spec)) {
      if (!spec.columns.includes(field)) {
        context.addIssue({
          code: "custom",
          message: `field '${field}' is not one of the columns ${spec.columns.join(", ")}`,
        });
      }
    }
  }
});

/** A validated source mapping. */
export type SourceSpec = z.infer<typeof sourceSpecSchema>;

/** Validates a source mapping (e.g. from a config file), filling in defaults. */
export function parseSourceSpec(value: unknown): SourceSpec {
  const parsed = sourceSpecSchema.safeParse(value);
  if (!parsed.success) {
    throw new TypeError(`source spec is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Every field the spec reads. */
export function fieldsOf(
  spec: Pick<SourceSpec, "key" | "timestamp" | "type" | "numeric" | "strings" | "attributes">,
): string[] {
  return [
    ...(spec.key === null ? [] : [spec.key]),
    spec.timestamp.field,
    ...(spec.type === null ? [] : [spec.type]),
    ...spec.numeric,
    ...spec.strings,
    ...(spec.attributes === null ? [] : [spec.attributes]),
  ];
}
