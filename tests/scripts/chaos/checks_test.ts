import assert from "node:assert/strict";
import {
  failoverLimit,
  failoverTimes,
  judge,
  phasesNotHit,
  referencedBucketDeletions,
  WEDGE_GRACE_MS,
  type WedgeContext,
  wedgedRoles,
  workBetween,
} from "../../../scripts/chaos/checks.ts";
import type {
  FaultRecord,
  LedgerSample,
  Observations,
  OffsetSample,
  ProcessEvent,
} from "../../../scripts/chaos/observations.ts";

const T0 = 1_000_000;

function kill(
  at: number,
  role: "collector" | "engine" | "factory" | "optimiser" | "replayer",
  wasLeader: boolean,
): FaultRecord {
  return { kind: "kill", at, role, instance: `${role}#1`, pid: 100, target: "any", wasLeader };
}

function running(at: number, pid: number, role: ProcessEvent["role"] = "collector"): ProcessEvent {
  return { at, role, instance: `${role}#2`, pid, kind: "running" };
}

function leading(at: number, pid: number, role: ProcessEvent["role"] = "collector"): ProcessEvent {
  return { at, role, instance: `${role}#2`, pid, kind: "leading" };
}

Deno.test("failoverTimes: from a leader kill to another process of the role logging that it leads", () => {
  const faults = [kill(T0, "collector", true), kill(T0 + 60_000, "collector", false)];
  const processes = [
    leading(T0 - 5_000, 100),
    leading(T0 + 3_000, 100), // the killed process itself does not count
    running(T0 + 6_000, 200), // joining its consumer groups after leading is not the failover
    leading(T0 + 7_500, 200),
    leading(T0 + 8_000, 300),
  ];
  assert.deepEqual(failoverTimes(faults, processes), [
    { role: "collector", killedAt: T0, seconds: 7.5, from: "kill" },
  ]);
  assert.deepEqual(failoverTimes([kill(T0, "collector", true)], []), [
    { role: "collector", killedAt: T0, seconds: null, from: "kill" },
  ]);
  assert.deepEqual(failoverTimes([kill(T0, "replayer", true)], processes), []);
});

Deno.test("failoverTimes: an etcd outage between the kill and the new leader counts from etcd's return", () => {
  const outage = { kind: "etcd-restart" as const, at: T0 + 4_000, end: T0 + 11_000 };
  assert.deepEqual(
    failoverTimes([kill(T0, "factory", true), outage], [leading(T0 + 21_500, 200, "factory")]),
    [{ role: "factory", killedAt: T0, seconds: 10.5, from: "etcd back" }],
  );
  // An outage over before the kill, or after the new leader, changes nothing.
  const before = { ...outage, at: T0 - 9_000, end: T0 - 2_000 };
  const after = { ...outage, at: T0 + 12_000, end: T0 + 15_000 };
  assert.deepEqual(
    failoverTimes([before, kill(T0, "factory", true), after], [
      leading(T0 + 10_500, 200, "factory"),
    ]),
    [{ role: "factory", killedAt: T0, seconds: 10.5, from: "kill" }],
  );
});

Deno.test("failoverLimit: TTL + 2 s from a kill; from etcd's return also the 1 s etcd extends leases by", () => {
  assert.equal(failoverLimit("kill", 10), 12);
  assert.equal(failoverLimit("etcd back", 10), 13);
  const outage = { kind: "etcd-restart" as const, at: T0 + 4_000, end: T0 + 11_000 };
  const verdict = (newLeaderAt: number) =>
    judge(observations({
      faults: [kill(T0, "factory", true), outage],
      processes: [leading(newLeaderAt, 200, "factory")],
    })).checks.find((c) => c.name === "failover_s")!;
  assert.equal(verdict(T0 + 11_000 + 12_500).ok, true);
  assert.equal(verdict(T0 + 11_000 + 13_500).ok, false);
});

function ledgerAt(at: number, inUse: boolean): LedgerSample {
  return { at, versions: [{ version: 3, buckets: [7, 8], inUse }] };
}

Deno.test("referencedBucketDeletions: a bucket deleted while a version in use referenced it", () => {
  const deletion = { bucket: 7, at: T0 + 50, pid: 9, open: false };
  assert.deepEqual(
    referencedBucketDeletions([deletion], [ledgerAt(T0, true), ledgerAt(T0 + 100, true)]),
    [{ bucket: 7, at: T0 + 50, pid: 9, versions: [3] }],
  );
  // Released before the deletion, or never referencing it: fine.
  assert.deepEqual(
    referencedBucketDeletions([deletion], [ledgerAt(T0, true), ledgerAt(T0 + 100, false)]),
    [],
  );
  assert.deepEqual(
    referencedBucketDeletions([{ ...deletion, bucket: 9 }], [
      ledgerAt(T0, true),
      ledgerAt(T0 + 100, true),
    ]),
    [],
  );
  // No sample after it: nothing can be said.
  assert.deepEqual(referencedBucketDeletions([deletion], [ledgerAt(T0, true)]), []);
});

/** A sample; `input` is the input topic's end offsets per partition. */
function sample(at: number, offsets: Record<string, number>, input: number[] = []): OffsetSample {
  return { at, offsets, partitions: { input } };
}

/** The wedge check's context: `records` input records of `events` events each, on partition 0. */
function context(runEnd: number, inputIncomplete: boolean, records = 0, events = 1): WedgeContext {
  return {
    runEnd,
    inputIncomplete,
    recordWork: { input: [new Array(records).fill(events)] },
    bucketEvents: 4_000,
  };
}

Deno.test("wedgedRoles: a role that got work after a fault but wrote nothing more", () => {
  const runEnd = T0 + 120_000;
  const fault = kill(T0, "engine", false);
  const offsets = [
    sample(T0 + 1_000, { input: 10, output: 10 }),
    sample(T0 + 50_000, { input: 20, output: 10 }),
    sample(runEnd, { input: 20, output: 10 }),
  ];
  assert.deepEqual(wedgedRoles([fault], offsets, context(runEnd, false)), [
    { role: "engine", after: T0 },
  ]);
  // Work that came only within the grace before the end does not count.
  const late = [
    sample(T0 + 1_000, { input: 10, output: 10 }),
    sample(runEnd - WEDGE_GRACE_MS + 1_000, { input: 20, output: 10 }),
  ];
  assert.deepEqual(wedgedRoles([fault], late, context(runEnd, false)), []);
});

Deno.test("wedgedRoles: the collector owes a dataset version only once a bucket's events came in", () => {
  const runEnd = T0 + 120_000;
  const fault: FaultRecord = { kind: "broker-pause", at: T0 - 20_000, end: T0 };
  // 30 input records after the fault: fewer events than a bucket (4,000) at 100 each, as many
  // as a bucket at 200 each; the collector wrote no dataset version.
  const offsets = [
    sample(T0 + 1_000, { input: 10, output: 10, datasetVersions: 2 }, [10]),
    sample(T0 + 50_000, { input: 30, output: 30, datasetVersions: 2 }, [30]),
    sample(runEnd, { input: 30, output: 30, datasetVersions: 2 }, [30]),
  ];
  assert.deepEqual(wedgedRoles([fault], offsets, context(runEnd, false, 30, 100)), []);
  assert.deepEqual(wedgedRoles([fault], offsets, context(runEnd, false, 30, 200)), [
    { role: "collector", after: T0 },
  ]);
  // Events count on every partition, from each one's own offsets.
  const spread = offsets.map((s, i) => ({
    ...s,
    partitions: { input: i === 0 ? [5, 5] : [15, 15] },
  }));
  const twoPartitions = {
    ...context(runEnd, false),
    recordWork: { input: [new Array(15).fill(200), new Array(15).fill(200)] },
  };
  assert.deepEqual(wedgedRoles([fault], spread, twoPartitions), [
    { role: "collector", after: T0 },
  ]);
  const written = offsets.map((s, i) => ({
    ...s,
    offsets: { ...s.offsets, datasetVersions: 2 + i },
  }));
  assert.deepEqual(wedgedRoles([fault], written, context(runEnd, false, 30, 200)), []);
});

Deno.test("wedgedRoles: the factory owes a report only for a command that asks for one", () => {
  const runEnd = T0 + 120_000;
  const fault = kill(T0, "optimiser", true);
  const commands = (first: number, last: number) =>
    [
      sample(T0 + 1_000, { factoryCommands: first, factoryReports: 5 }),
      sample(T0 + 50_000, { factoryCommands: last, factoryReports: 5 }),
      sample(runEnd, { factoryCommands: last, factoryReports: 5 }),
    ].map((s) => ({ ...s, partitions: { factoryCommands: [s.offsets.factoryCommands] } }));
  // Offsets 6 and 7: an opt_abort (no report) and an opt_step (a report).
  const work = {
    ...context(runEnd, false),
    recordWork: { factoryCommands: [[1, 1, 1, 1, 1, 1, 0, 1]] },
  };
  assert.deepEqual(wedgedRoles([fault], commands(6, 7), work), [], "an abort owes nothing");
  assert.deepEqual(wedgedRoles([fault], commands(6, 8), work), [
    { role: "factory", after: T0 },
  ]);
});

Deno.test("workBetween: the work of the records between two offsets of each partition", () => {
  const records = [[1, 2, 3, 4], [10, 20]];
  assert.equal(workBetween(records, [1, 0], [3, 2]), 2 + 3 + 10 + 20);
  assert.equal(workBetween(records, [4, 2], [4, 2]), 0);
  assert.equal(workBetween(records, [], [2]), 3, "a partition not yet sampled starts at 0");
});

Deno.test("wedgedRoles: the replayer, when the input is incomplete and it wrote nothing after a fault", () => {
  const runEnd = T0 + 120_000;
  const offsets = [sample(T0 + 1_000, { input: 10 }), sample(runEnd, { input: 10 })];
  const fault: FaultRecord = { kind: "broker-pause", at: T0 - 20_000, end: T0 };
  assert.deepEqual(wedgedRoles([fault], offsets, context(runEnd, true)), [
    { role: "replayer", after: T0 },
  ]);
  assert.deepEqual(wedgedRoles([fault], offsets, context(runEnd, false)), []);
});

const ELECTED = ["collector", "factory", "optimiser"] as const;

function observations(overrides: Partial<Observations> = {}): Observations {
  return {
    windowStart: T0,
    runEnd: T0 + 300_000,
    faults: [
      ...ELECTED.flatMap((role) =>
        [0, 1].map((i): FaultRecord => ({
          kind: "kill",
          at: T0 + 10_000 * (i + 1),
          role,
          instance: `${role}#1`,
          pid: 1,
          target: "leader",
          wasLeader: true,
          during: i === 0 ? "optimisation" : "assembly",
          phaseSeen: true,
        }))
      ),
      { kind: "etcd-restart", at: T0 + 100_000, end: T0 + 105_000 },
      { kind: "broker-pause", at: T0 + 120_000, end: T0 + 140_000 },
    ],
    processes: ELECTED.flatMap((role) => [
      leading(T0 + 18_000, 2, role),
      leading(T0 + 28_000, 2, role),
    ]),
    offsets: [],
    ledger: [],
    deletions: [],
    audit: {
      streamEvents: 1000,
      inputEvents: 1000,
      inputDistinct: 1000,
      recordWork: {},
      forecastDistinct: 1000,
      forecastEvents: 1000,
      exactlyOnce: true,
      detections: 40,
    },
    detectionsFaultFree: 40,
    shutdowns: [{ instance: "engine#1", pid: 5, code: 0, seconds: 1 }],
    ttlSeconds: 10,
    replayerBatch: 1000,
    bucketEvents: 4000,
    shutdownTimeoutSeconds: 30,
    ...overrides,
  };
}

Deno.test("judge: a clean run passes every check", () => {
  const result = judge(observations());
  assert.deepEqual(result.checks.filter((c) => !c.ok), []);
  assert.equal(result.missing, 0);
  assert.deepEqual(
    result.failovers.map((f) => `${f.role} ${f.seconds}`),
    ELECTED.flatMap((role) => [`${role} 8`, `${role} 8`]),
  );
});

Deno.test("judge: a leader not killed during each phase, or an outage missing, fails faults_injected", () => {
  const base = observations();
  const unseen = base.faults.map((f) =>
    f.kind === "kill" && f.role === "factory" && f.during === "assembly"
      ? { ...f, phaseSeen: false }
      : f
  );
  const verdict = judge(observations({ faults: unseen })).checks
    .find((c) => c.name === "faults_injected")!;
  assert.equal(verdict.ok, false);
  assert.match(verdict.value, /no leader kill while its phase was seen: factory during assembly/);
  assert.deepEqual(phasesNotHit(unseen), ["factory during assembly"]);
  const noEtcd = judge(
    observations({ faults: base.faults.filter((f) => f.kind !== "etcd-restart") }),
  )
    .checks.find((c) => c.name === "faults_injected")!;
  assert.equal(noEtcd.ok, false);
  assert.match(noEtcd.value, /no etcd-restart/);
});

Deno.test("judge: losses, duplicates beyond a batch per replayer kill, slow failover and overruns fail", () => {
  const base = observations();
  const result = judge(observations({
    faults: [...base.faults, kill(T0 + 70_000, "replayer", false)],
    processes: [leading(T0 + 25_000, 2)],
    audit: {
      streamEvents: 3000,
      inputEvents: 4500,
      inputDistinct: 3000,
      recordWork: {},
      forecastDistinct: 2990,
      forecastEvents: 2990,
      exactlyOnce: true,
      detections: 41,
    },
    shutdowns: [{ instance: "factory#2", pid: 5, code: null, seconds: 35 }],
  }));
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  assert.deepEqual(failed, [
    "missing",
    "replayer_duplicates",
    "detections",
    "failover_s",
    "shutdown_overruns",
  ]);
  assert.equal(result.missing, 10);
  assert.equal(result.replayerDuplicates, 1500);
  assert.deepEqual(result.shutdownOverruns.map((s) => s.instance), ["factory#2"]);
});

Deno.test("judge: a skipped fault or an elected role killed once fails faults_injected", () => {
  const base = observations();
  const skipped = judge(observations({
    faults: [...base.faults, { kind: "skipped", at: T0, planned: "kill engine any", reason: "x" }],
  }));
  assert.equal(skipped.checks.find((c) => c.name === "faults_injected")?.ok, false);
  const once = judge(observations({ faults: base.faults.slice(1) }));
  assert.equal(once.checks.find((c) => c.name === "faults_injected")?.ok, false);
});

Deno.test("judge: a referenced deletion names the deleting instance and whether the final stop did it", () => {
  const result = judge(observations({
    runEnd: T0 + 100_000,
    processes: [
      leading(T0 + 18_000, 2),
      { at: T0, role: "collector", instance: "collector#2", pid: 8, kind: "started" },
    ],
    ledger: [ledgerAt(T0 + 100_000, true), ledgerAt(T0 + 100_200, true)],
    deletions: [{ bucket: 8, at: T0 + 100_100, pid: 8, open: false }],
  }));
  assert.deepEqual(result.referencedDeletions, [
    {
      bucket: 8,
      at: T0 + 100_100,
      pid: 8,
      instance: "collector#2",
      duringStop: true,
      versions: [3],
    },
  ]);
  const verdict = result.checks.find((c) => c.name === "referenced_buckets_deleted")!;
  assert.equal(verdict.ok, false);
  assert.equal(verdict.value, "1 (1 in the final stop; by collector#2)");
});

Deno.test("judge: a repeated forecast fails under exactly once, unless its event was repeated", () => {
  const repeated = (exactlyOnce: boolean) =>
    judge(observations({
      audit: {
        streamEvents: 1000,
        inputEvents: 1000,
        inputDistinct: 1000,
        recordWork: {},
        forecastDistinct: 1000,
        forecastEvents: 1003,
        exactlyOnce,
        detections: 40,
      },
    })).checks.find((c) => c.name === "forecast_repeats")!;
  assert.deepEqual([repeated(true).ok, repeated(true).value], [false, "3"]);
  assert.equal(repeated(false).ok, true);
  const replayed = judge(observations({
    audit: {
      streamEvents: 1000,
      inputEvents: 1003,
      inputDistinct: 1000,
      recordWork: {},
      forecastDistinct: 1000,
      forecastEvents: 1003,
      exactlyOnce: true,
      detections: 40,
    },
  })).checks.find((c) => c.name === "forecast_repeats")!;
  assert.equal(replayed.ok, true, "an event the replayer repeated is forecast once per copy");
});

Deno.test("wedgedRoles: the optimiser owes a command for an instruction or a report within a run, not for one that ends it", () => {
  const runEnd = T0 + 120_000;
  const fault = kill(T0, "collector", true);
  const reports = (first: number, last: number) =>
    [
      sample(T0 + 1_000, { factoryReports: first, factoryCommands: 9 }),
      sample(T0 + 50_000, { factoryReports: last, factoryCommands: 9 }),
      sample(runEnd, { factoryReports: last, factoryCommands: 9 }),
    ].map((s) => ({
      ...s,
      partitions: { factoryReports: [s.offsets.factoryReports], instructions: [0] },
    }));
  // Offsets 3 and 4: an opt_done (the run ended) and a step_result (the next step is due).
  const work = {
    ...context(runEnd, false),
    recordWork: { factoryReports: [[1, 1, 1, 0, 1]], instructions: [] },
  };
  assert.deepEqual(wedgedRoles([fault], reports(3, 4), work), [], "a run's end owes nothing");
  assert.deepEqual(wedgedRoles([fault], reports(3, 5), work), [
    { role: "optimiser", after: T0 },
  ]);
});
