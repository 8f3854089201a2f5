import assert from "node:assert/strict";
import { parseConfig } from "../../config/load.ts";
import type { SourceConfig } from "../../config/schema.ts";
import { sourceSpecOf } from "../../config/build_source.ts";
import {
  DEMO_ABC_SOURCE,
  MARITIME_SOURCE,
  readEvents,
  RETUNE_JSONL_SOURCE,
} from "../../models/sources/read.ts";

/** The yaml package reads these two variables (debug switches) while parsing. */
const yamlEnv = ["LOG_TOKENS", "LOG_STREAM"];
/** Parses config text and reads and writes a temp file of events. */
const withTempFile = { read: true, write: true, env: yamlEnv };

/** `model.source` as the configuration loader validates it from YAML. */
function configuredSource(source: string): SourceConfig {
  const indented = source.trim().split("\n").map((line) => `    ${line}`).join("\n");
  const yaml = `model:\n  pattern: p.pattern\n  source:\n${indented}\n`;
  return parseConfig(yaml, "/retune/test.yaml", { env: {} }).model.source;
}

async function withFile<T>(content: string, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, content);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test({
  name: "built-in domains give their fixed mappings",
  permissions: { env: yamlEnv },
}, () => {
  assert.equal(sourceSpecOf(configuredSource("domain: maritime")), MARITIME_SOURCE);
  assert.equal(sourceSpecOf(configuredSource("domain: demo_abc")), DEMO_ABC_SOURCE);
  // Not a configuration domain yet: the config schema lists maritime, csv, jsonl and demo_abc.
  const retune = { domain: "retune_jsonl" } as unknown as SourceConfig;
  assert.equal(sourceSpecOf(retune), RETUNE_JSONL_SOURCE);
});

Deno.test({
  name: "a csv mapping without columns reads them from the header line",
  permissions: withTempFile,
}, async () => {
  const spec = sourceSpecOf(configuredSource(`
domain: csv
mapping:
  key: vessel
  timestamp: { field: time, unit: ms }
  type: kind
  numeric: [speed]
  otherFields: infer
`));
  assert.equal(spec.format, "csv");
  assert.equal(spec.header, true);
  const { events, rejected } = await withFile(
    "kind,time,vessel,speed,port\nA,1500,v1,2.5,Brest\nB,1600,v2,3,12\n",
    (path) => readEvents(path, spec),
  );
  assert.deepEqual(rejected, []);
  assert.deepEqual(events, [
    { key: "v1", timestamp: 1500, type: "A", attributes: { speed: 2.5, port: "Brest" } },
    { key: "v2", timestamp: 1600, type: "B", attributes: { speed: 3, port: 12 } },
  ]);
});

Deno.test({
  name: "a csv mapping with columns reads a file without a header",
  permissions: withTempFile,
}, async () => {
  const spec = sourceSpecOf(configuredSource(`
domain: csv
mapping:
  columns: [type, timestamp, key]
  key: key
  timestamp: { field: timestamp, unit: s }
  type: type
`));
  assert.equal(spec.header, false);
  const { events } = await withFile("A,1,k1\nB,2,k2\n", (path) => readEvents(path, spec));
  assert.deepEqual(events, [
    { key: "k1", timestamp: 1000, type: "A", attributes: {} },
    { key: "k2", timestamp: 2000, type: "B", attributes: {} },
  ]);
});

Deno.test({
  name: "a jsonl mapping keeps the configured field choices",
  permissions: withTempFile,
}, async () => {
  const spec = sourceSpecOf(configuredSource(`
domain: jsonl
mapping:
  key: id
  timestamp: { field: t, unit: s }
  strings: [port]
`));
  assert.equal(spec.format, "jsonl");
  assert.equal(spec.otherFields, "drop");
  const { events } = await withFile(
    '{"id": "a", "t": 2, "port": "Brest", "depth": 12}\n',
    (path) => readEvents(path, spec),
  );
  assert.deepEqual(events, [{
    key: "a",
    timestamp: 2000,
    type: "",
    attributes: { port: "Brest" },
  }]);
});

Deno.test({
  name: "invalid sources are rejected naming model.source and the problem",
  permissions: { env: yamlEnv },
}, () => {
  const csv = configuredSource(`
domain: csv
mapping:
  columns: [t, k]
  key: k
  timestamp: { field: t, unit: ms }
`);
  const mapping = csv.mapping!;
  const cases: [unknown, RegExp][] = [
    [
      { domain: "csv", mapping: { ...mapping, numeric: ["speed"] } },
      /^TypeError: model\.source\.mapping \(domain "csv"\): .*field 'speed' is not one of the columns t, k/,
    ],
    [
      { domain: "csv", mapping: { ...mapping, header: true } },
      /model\.source\.mapping \(domain "csv"\): .*either header: true or a columns list, not both/,
    ],
    [
      { domain: "jsonl", mapping },
      /model\.source\.mapping \(domain "jsonl"\): .*header and columns are for csv sources/,
    ],
    [
      { domain: "jsonl" },
      /model\.source\.mapping is required when domain is "jsonl": current value is undefined/,
    ],
    [
      { domain: "maritime", mapping },
      /model\.source\.mapping is not allowed when domain is "maritime": its format is built in/,
    ],
    [
      { domain: "xml" },
      /^RangeError: model\.source\.domain must be one of maritime, demo_abc, retune_jsonl, csv, jsonl: current value is xml$/,
    ],
  ];
  for (const [source, expected] of cases) {
    assert.throws(() => sourceSpecOf(source as SourceConfig), (error) => {
      assert.match(String(error), expected);
      return true;
    });
  }
});
