/**
 * README's configuration table against the schema: every settable key has a row, every row names
 * a key, and each row's default is the schema's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { schemaKeys } from "./schema_keys.ts";

const README = new URL("../../README.md", import.meta.url);

/** One row of the table: its key and its default cell, both without their backticks. */
interface Row {
  key: string;
  default: string;
}

/** The rows of the table in README's "Configuration" section. */
function configurationRows(): Row[] {
  const readme = Deno.readTextFileSync(README);
  const section = readme.slice(readme.indexOf("## Configuration"));
  const body = section.slice(0, section.indexOf("\n## ", 1));
  return body.split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      // Cells split at pipes not escaped as `\|`.
      const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim());
      return { key: unquote(cells[0]), default: unquote(cells[2]) };
    });
}

function unquote(cell: string): string {
  return cell.startsWith("`") && cell.endsWith("`") ? cell.slice(1, -1) : cell;
}

/** A schema default as the table writes it: strings bare, other values as JSON, none as "—". */
function written(value: unknown): string {
  if (value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const permissions = { read: [README] };

Deno.test({
  name: "README: every schema key has a row in the configuration table",
  permissions,
  fn() {
    const rows = new Set(configurationRows().map((row) => row.key));
    const missing = schemaKeys().filter((key) => !rows.has(key.path)).map((key) => key.path);
    assert.deepEqual(missing, [], `schema keys missing from README's table: ${missing}`);
  },
});

Deno.test({
  name: "README: every row of the configuration table names a schema key",
  permissions,
  fn() {
    const keys = new Set(schemaKeys().map((key) => key.path));
    const unknown = configurationRows().filter((row) => !keys.has(row.key)).map((row) => row.key);
    assert.deepEqual(unknown, [], `README's table names keys the schema lacks: ${unknown}`);
  },
});

Deno.test({
  name: "README: every default in the configuration table is the schema's",
  permissions,
  fn() {
    const rows = new Map(configurationRows().map((row) => [row.key, row.default]));
    const wrong = schemaKeys().flatMap((key) => {
      const row = rows.get(key.path);
      const expected = written(key.default);
      return row === undefined || row === expected
        ? []
        : [`${key.path}: README says ${row}, the schema ${expected}`];
    });
    assert.deepEqual(wrong, []);
  },
});

Deno.test("README: the schema walk finds nested, union and inherited defaults", () => {
  const keys = new Map(schemaKeys().map((key) => [key.path, key.default]));
  assert.equal(keys.get("topics.input.partitions"), 4);
  assert.equal(keys.get("observer.policy.kind"), "trend");
  assert.equal(keys.get("observer.policy.alpha"), 1);
  assert.equal(keys.get("engine.report.everyStreamMs"), 604_800_000);
  assert.ok(
    keys.has("engine.report.everyEvents") && keys.get("engine.report.everyEvents") === undefined,
  );
  assert.ok(keys.has("kafka.ssl") && !keys.has("kafka.ssl.rejectUnauthorized"));
});
