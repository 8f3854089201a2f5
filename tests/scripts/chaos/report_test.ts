import assert from "node:assert/strict";
import { judge } from "../../../scripts/chaos/checks.ts";
import { reportTable, toReport } from "../../../scripts/chaos/report.ts";
import type { FaultRecord } from "../../../scripts/chaos/observations.ts";

const T0 = 5_000_000;

const FAULTS: FaultRecord[] = [
  {
    kind: "kill",
    at: T0 + 12_340,
    role: "factory",
    instance: "factory#1",
    pid: 77,
    target: "leader",
    wasLeader: true,
    during: "assembly",
    phaseSeen: true,
  },
  { kind: "broker-pause", at: T0 + 30_000, end: T0 + 50_000 },
];

function result() {
  return judge({
    windowStart: T0,
    runEnd: T0 + 100_000,
    faults: FAULTS,
    processes: [{
      at: T0 + 20_000,
      role: "factory",
      instance: "factory#2",
      pid: 78,
      kind: "leading",
    }],
    offsets: [],
    ledger: [],
    deletions: [],
    audit: {
      streamEvents: 100,
      inputEvents: 100,
      inputDistinct: 100,
      recordWork: {},
      forecastDistinct: 99,
      forecastEvents: 99,
      exactlyOnce: true,
      detections: 3,
    },
    detectionsFaultFree: 3,
    shutdowns: [],
    ttlSeconds: 10,
    replayerBatch: 1000,
    bucketEvents: 4000,
    shutdownTimeoutSeconds: 30,
  });
}

Deno.test("toReport: the JSON names every measure the issue asks for, times from the window", () => {
  const report = toReport(result(), { seed: 3, ttlSeconds: 10, windowStart: T0, faults: FAULTS });
  for (
    const key of [
      "missing",
      "replayer_duplicates",
      "detections",
      "detections_fault_free",
      "referenced_buckets_deleted",
      "wedged",
      "failover_s",
      "ttl_s",
      "shutdown_overruns",
      "faults",
    ]
  ) assert.ok(key in report, key);
  assert.equal(report.ok, false);
  assert.equal(report.missing, 1);
  assert.deepEqual(report.failover_s, [7.7]);
  assert.deepEqual(report.faults[0], {
    at_s: 12.3,
    kind: "kill",
    role: "factory",
    instance: "factory#1",
    pid: 77,
    target: "leader",
    was_leader: true,
    during: "assembly",
    phase_seen: true,
  });
  assert.deepEqual(report.faults[1], { at_s: 30, kind: "broker-pause", end_s: 50 });
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
});

Deno.test("reportTable: one aligned row per check with its verdict, then the faults", () => {
  const report = toReport(result(), { seed: 3, ttlSeconds: 10, windowStart: T0, faults: FAULTS });
  const lines = reportTable(report).split("\n");
  assert.match(lines[0], /^check\s+result\s+value\s+must be$/);
  const missing = lines.find((line) => line.startsWith("missing"));
  assert.match(missing!, /^missing\s+FAIL\s+1\s+0$/);
  assert.ok(lines.some((line) => /12\.3 s {2}kill role=factory instance=factory#1/.test(line)));
  assert.equal(lines.at(-1), "chaos: some checks FAILED");
});
