import assert from "node:assert/strict";
import {
  DEMO_ABC_SOURCE,
  MARITIME_SOURCE,
  parseSourceSpec,
  readEvents,
  type RejectedLine,
  RETUNE_JSONL_SOURCE,
  streamEvents,
} from "../../../models/sources/read.ts";
import type { StreamEvent } from "../../../core/events.ts";

const EXAMPLES = new URL("../../../deploy/examples/", import.meta.url);

async function withFile<T>(content: string, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    await Deno.writeTextFile(path, content);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test({
  name: "the built-in mappings read the bundled samples",
  permissions: { read: [EXAMPLES] },
}, async () => {
  const maritime = await readEvents(
    new URL("maritime/vessel_227592820.csv", EXAMPLES).pathname,
    MARITIME_SOURCE,
  );
  assert.equal(maritime.events.length, 30193);
  assert.deepEqual(maritime.rejected, []);
  assert.deepEqual(maritime.events[0], {
    key: "227592820",
    timestamp: 1443677401000,
    type: "",
    attributes: {
      lon: -4.489492,
      lat: 48.357178,
      speed: 16.791537956792514,
      heading: 176.98862929133006,
      cog: 178.6,
      mmsi: "227592820",
      annotation: "00100000",
    },
  });
  const abc = await readEvents(
    new URL("demo_abc/demo_abc.csv", EXAMPLES).pathname,
    DEMO_ABC_SOURCE,
  );
  assert.equal(abc.events.length, 100);
  assert.deepEqual(abc.events[2], { key: "", timestamp: 3000, type: "B", attributes: {} });
});

Deno.test({
  name: "bad rows are skipped and reported with their line numbers",
  permissions: { read: true, write: true },
}, async () => {
  const lines = [
    "1443677401,227592820,-4.48,48.35,16.7,176.9,178.6,00100000",
    "1443677461,227592820,-4.48,48.35,fast,176.9,178.6,00100000",
    "",
    "1443677521,227592820,-4.48,48.35,17.8",
    "later,227592820,-4.48,48.35,17.8,158.7,159.7,00100000",
    "1443677641,227592820,-4.48,48.33,19.9,179.7,179.8,00100000",
  ];
  const content = lines.join("\n");
  const { events, rejected } = await withFile(content, (path) => readEvents(path, MARITIME_SOURCE));
  assert.deepEqual(events.map((e) => e.timestamp), [1443677401000, 1443677641000]);
  assert.deepEqual(rejected, [
    {
      line: 2,
      reason: 'speed must be a number: current value is "fast"',
      text: lines[1],
      length: lines[1].length,
    },
    { line: 4, reason: "expected 8 columns but found 5", text: lines[3], length: lines[3].length },
    {
      line: 5,
      reason: 'timestamp must be a number: current value is "later"',
      text: lines[4],
      length: lines[4].length,
    },
  ]);
});

Deno.test({
  name: "JSON lines with a field mapping, timestamps in ms, inferred extra fields",
  permissions: { read: true, write: true },
}, async () => {
  const source = parseSourceSpec({
    format: "jsonl",
    key: "id",
    timestamp: { field: "t", unit: "ms" },
    type: "kind",
    numeric: ["speed"],
    otherFields: "infer",
  });
  const content = [
    '{"id": 7, "t": 1500, "kind": "A", "speed": 2.5, "port": "Brest", "depth": 12}',
    '{"id": "8", "t": 1600, "kind": "B", "speed": "2.5"}',
    "[1, 2]",
    "{not json",
    '{"id": "9", "t": 1700, "speed": 1}',
  ].join("\n");
  const { events, rejected } = await withFile(content, (path) => readEvents(path, source));
  assert.deepEqual(events, [
    { key: "7", timestamp: 1500, type: "A", attributes: { speed: 2.5, port: "Brest", depth: 12 } },
  ]);
  assert.deepEqual(rejected.map((r) => r.line), [2, 3, 4, 5]);
  assert.equal(rejected[0].reason, 'speed must be a number: current value is "2.5"');
  assert.equal(rejected[1].reason, "a JSON line must be an object");
  assert.match(rejected[2].reason, /^invalid JSON: /);
  assert.equal(rejected[3].reason, "kind must be a string: current value is undefined");
});

Deno.test({
  name: "a CSV header names the columns; streaming reports rejects as it goes",
  permissions: { read: true, write: true },
}, async () => {
  const source = parseSourceSpec({
    format: "csv",
    header: true,
    key: "vessel",
    timestamp: { field: "time", unit: "s" },
    numeric: ["speed"],
    otherFields: "infer",
  });
  const content = 'time,vessel,speed,note\n1,a,3.5,"fast, very"\n2,b,x,slow\n3,a,4,12\n';
  const seen: (string | RejectedLine)[] = [];
  await withFile(content, async (path) => {
    for await (const event of streamEvents(path, source, (bad) => seen.push(bad))) {
      seen.push(`${event.key}@${event.timestamp}:${JSON.stringify(event.attributes)}`);
    }
  });
  assert.deepEqual(seen, [
    'a@1000:{"speed":3.5,"note":"fast, very"}',
    {
      line: 3,
      reason: 'speed must be a number: current value is "x"',
      text: "2,b,x,slow",
      length: 10,
    },
    'a@3000:{"speed":4,"note":12}',
  ]);
  await assert.rejects(
    () => withFile("when,vessel\n1,a\n", (path) => readEvents(path, source)),
    /header line lacks the fields time, speed: current value is when,vessel/,
  );
});

Deno.test({
  name: "events as Retune writes them read back with the retune_jsonl mapping",
  permissions: { read: true, write: true },
}, async () => {
  const written: StreamEvent[] = [
    {
      key: "227592820",
      timestamp: 1443677401000,
      type: "",
      attributes: { lon: -4.48, annotation: "00100000" },
    },
    { key: "", timestamp: 1500, type: "A", attributes: {} },
  ];
  const lines = [
    ...written.map((event) => JSON.stringify(event)),
    '{"key": "k", "timestamp": 1, "type": "B", "attributes": [1]}',
    '{"key": "k", "timestamp": 1, "type": "B"}',
  ];
  const { events, rejected } = await withFile(
    lines.join("\n"),
    (path) => readEvents(path, RETUNE_JSONL_SOURCE),
  );
  assert.deepEqual(events, written);
  assert.deepEqual(rejected.map((r) => r.reason), [
    "attributes must be an object: current value is [1]",
    "attributes must be an object: current value is undefined",
  ]);
});

// Counting open descriptors in /proc/self/fd needs all permissions.
Deno.test({
  name: "stopping a stream early closes its file",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const openFiles = () => [...Deno.readDirSync("/proc/self/fd")].length;
  await withFile("1,a\n2,a\n3,a\n", async (path) => {
    const source = parseSourceSpec({
      format: "csv",
      columns: ["t", "k"],
      key: "k",
      timestamp: { field: "t", unit: "s" },
    });
    const before = openFiles();
    for (let i = 0; i < 5; i++) {
      for await (const _ of streamEvents(path, source, () => {})) break;
    }
    assert.equal(openFiles(), before);
  });
});

Deno.test({
  name: "a line over the limit is a rejected row; a header over it fails the file, naming it",
  permissions: { read: true, write: true },
}, async () => {
  const good = "1443677401,227592820,-4.48,48.35,16.7,176.9,178.6,00100000";
  const long = "1443677461," + "7".repeat(5_000);
  const { events, rejected } = await withFile(
    [good, long, good].join("\n"),
    (path) => readEvents(path, MARITIME_SOURCE, { maxLineLength: 100 }),
  );
  assert.equal(events.length, 2);
  assert.deepEqual(rejected, [{
    line: 2,
    reason: "line is 5011 characters long, over the limit of 100",
    text: long.slice(0, 1_024),
    length: 5_011,
  }]);
  const source = parseSourceSpec({
    format: "csv",
    header: true,
    key: "vessel",
    timestamp: { field: "time", unit: "s" },
  });
  await assert.rejects(
    () =>
      withFile(
        `time,vessel,${"x".repeat(200)}\n1,a\n`,
        (path) => readEvents(path, source, { maxLineLength: 100 }),
      ),
    /header line is 212 characters long, over the limit of 100/,
  );
});
