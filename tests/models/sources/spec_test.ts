import assert from "node:assert/strict";
import { parseSourceSpec } from "../../../models/sources/spec.ts";

Deno.test("source specs get defaults and are checked", () => {
  assert.deepEqual(
    parseSourceSpec({ format: "jsonl", key: null, timestamp: { field: "t", unit: "s" } }),
    {
      format: "jsonl",
      header: false,
      columns: null,
      delimiter: ",",
      key: null,
      timestamp: { field: "t", unit: "s" },
      type: null,
      numeric: [],
      strings: [],
      attributes: null,
      otherFields: "drop",
    },
  );
  assert.throws(
    () => parseSourceSpec({ format: "csv", key: "k", timestamp: { field: "t", unit: "s" } }),
    /needs either header: true or a columns list/,
  );
  assert.throws(
    () =>
      parseSourceSpec({
        format: "csv",
        columns: ["t", "k"],
        key: "k",
        timestamp: { field: "t", unit: "s" },
        numeric: ["speed"],
      }),
    /field 'speed' is not one of the columns t, k/,
  );
  assert.throws(
    () =>
      parseSourceSpec({
        format: "csv",
        columns: ["t"],
        key: null,
        timestamp: { field: "t", unit: "s" },
        attributes: "attributes",
      }),
    /attributes 'attributes' is for jsonl sources; csv fields cannot nest/,
  );
  assert.throws(
    () =>
      parseSourceSpec({
        format: "jsonl",
        header: true,
        key: null,
        timestamp: { field: "t", unit: "s" },
      }),
    /header and columns are for csv sources/,
  );
  assert.throws(
    () => parseSourceSpec({ format: "xml", key: "k", timestamp: { field: "t", unit: "h" } }),
    /source spec is invalid/,
  );
});
