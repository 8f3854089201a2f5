/**
 * A stream-time retrain schedule in the embedded system: every four weeks of stream time the
 * collector announces a dataset version of the closed weekly buckets in the last two weeks and
 * asks for a retrain of that version, through the instructions topic as the observer does; the
 * factory ships a model trained on it. A collector that fails between storing a tick and sending
 * it, or just after sending it, fires every tick once all the same.
 *
 * The test reads the sample and pattern, writes its temp folder (the training workers inherit
 * those permissions); the replayer's kafkajs partitioner reads environment variables as it loads.
 */

import assert from "node:assert/strict";
import { defaultConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import type { DatasetVersion } from "../../core/versions.ts";
import type { Instruction } from "../../protocol/messages.ts";
import { decodeEnvelope } from "../../protocol/codec.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { setupLogging } from "../../logging/setup.ts";
import { eventually } from "../fixtures/eventually.ts";
import { ObjectStoreUnavailableError } from "../../storage/s3_objects.ts";

const SAMPLE = new URL("../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url);
const WEEK = 604_800_000;
const EVERY = 4 * WEEK;
const WINDOW = 2 * WEEK;

setupLogging({ level: "warning", format: "text" });

function scheduledConfig(
  dir: string,
  schedule: NonNullable<RetuneConfig["collector"]["schedule"]> = {
    every: EVERY,
    window: WINDOW,
    fullHistoryEvery: 2,
  },
): RetuneConfig {
  const base = defaultConfig();
  return {
    ...base,
    logging: { level: "warning", format: "text" },
    storage: { ...base.storage, dir },
    model: { ...base.model, initialTraining: { ...base.model.initialTraining, events: 1_500 } },
    collector: {
      ...base.collector,
      keep: 4,
      schedule,
    },
    supervision: { ...base.supervision, initialBackoffMs: 20 },
  };
}

/** What a run replayed the sample to: the instructions and dataset versions announced. */
interface Seen {
  system: RetuneSystem;
  instructions: Instruction[];
  versions: DatasetVersion[];
}

/** Replays the sample through a scheduled system (no observer); `inject` may add faults. */
async function scheduledRun(
  inject: (seen: Seen) => void,
  check: (seen: Seen) => Promise<void>,
  schedule?: NonNullable<RetuneConfig["collector"]["schedule"]>,
  configure: (config: RetuneConfig) => RetuneConfig = (config) => config,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-schedule-" });
  try {
    const system = await RetuneSystem.build({
      config: configure(scheduledConfig(`${dir}/storage`, schedule)),
      roles: SERVICE_ROLES,
      input: SAMPLE.pathname,
      // Only the schedule asks for retrains.
      without: ["observer"],
    });
    const seen: Seen = { system, instructions: [], versions: [] };
    const { topics } = system.env;
    await system.transport.subscribe({
      group: "test.schedule",
      topics: [topics.instructions, topics.datasetVersions],
      handler: (records) => {
        for (const record of records) {
          const { type, payload } = decodeEnvelope(record.value);
          if (type === "Instruction") seen.instructions.push(payload as Instruction);
          if (type === "DatasetVersion") seen.versions.push(payload as DatasetVersion);
        }
        return Promise.resolve();
      },
    });
    inject(seen);
    try {
      await system.start();
      await system.waitForEndOfInput();
      await check(seen);
    } finally {
      await system.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts one tick per period, in order, each on the buckets of its window only. */
async function assertOneTickPerPeriod({ system, instructions, versions }: Seen): Promise<void> {
  // The collector follows the engine: under load it is still collecting when the input ends.
  const collector = () => system.view("collector");
  await eventually(
    () => collector().eventsCollected >= system.view("engine").eventsProcessed,
    { what: "the collector has every event", deadlineMs: 60_000 },
  );
  await eventually(() => versions.length > 0 && versions.length >= collector().datasetVersions, {
    what: "every dataset version announced",
  });
  // The first version holds bucket 0, which starts at the first event: the schedule's anchor.
  const first = versions[0].streamTimeStart;
  // The newest version ends before the last event, so one more tick may follow.
  const periods = Math.floor((Math.max(...versions.map((v) => v.streamTimeEnd)) - first) / EVERY);
  assert.ok(periods >= 3, `the sample spans ${periods} periods`);
  await eventually(() => instructions.length >= periods, { what: `${periods} scheduled retrains` });
  const ticks = instructions.map((i) => Number(i.reason.match(/^schedule tick (\d+) /)?.[1]));
  assert.deepEqual(ticks, ticks.map((_, i) => i + 1), "every tick once, in order");
  assert.ok(ticks.length <= periods + 1, `at most one tick per period: ${ticks}`);
  instructions.forEach((instruction, i) => {
    const tick = first + (i + 1) * EVERY;
    assert.equal(instruction.action, "train");
    assert.equal(instruction.reportId, -1);
    assert.match(instruction.reason, new RegExp(`^schedule tick ${i + 1} at stream time ${tick}:`));
    const version = versions.find((v) => v.version === instruction.datasetVersion)!;
    assert.ok(version.scheduled, `tick ${i + 1}: a scheduled version`);
    assert.ok(version.buckets.length >= 1, `tick ${i + 1}: a bucket`);
    assert.ok(version.streamTimeEnd < tick, `tick ${i + 1}: window end`);
    if ((i + 1) % 2 === 0) {
      // Every second tick: every bucket kept, reaching back before the window.
      assert.match(instruction.reason, /: full history, /);
      assert.ok(version.streamTimeStart < tick - WINDOW, `tick ${i + 1}: full history`);
    } else {
      assert.match(instruction.reason, /: window of \d+ ms, /);
      assert.ok(version.streamTimeStart >= tick - WINDOW, `tick ${i + 1}: window start`);
    }
  });
}

Deno.test("a stream-time schedule retrains once per period on its window's buckets only", {
  permissions: { read: true, write: true, env: true },
}, async () => {
  await scheduledRun(() => {}, async (seen) => {
    await assertOneTickPerPeriod(seen);
    const { system, instructions } = seen;
    await eventually(
      () => system.modelVersions.some((m) => m.creationMethod === "retrain"),
      { what: "a model trained on a scheduled window" },
    );
    const scheduled = new Set(instructions.map((i) => i.datasetVersion));
    const retrained = system.modelVersions.filter((m) => m.creationMethod === "retrain");
    assert.ok(retrained.every((m) => scheduled.has(m.datasetVersion)));
  });
});

Deno.test("a collector that fails as it sends a tick, or right after, fires each tick once", {
  permissions: { read: true, write: true, env: true },
}, async () => {
  let failedSend = false;
  let failedAfter = false;
  /** The bucket open when the first fault hit: the second hits a few buckets later, apart. */
  let bucketAtFirstFault = Infinity;
  await scheduledRun(({ system, instructions }) => {
    const { buckets, topics } = system.env;
    const transport = system.transport;
    // Tick 2's instruction fails to go out once: the tick is stored, not sent.
    const publish = transport.publish.bind(transport);
    transport.publish = (topic, records) => {
      if (topic === topics.instructions && instructions.length === 1 && !failedSend) {
        failedSend = true;
        bucketAtFirstFault = system.view("collector").nextBucket;
        return Promise.reject(new Error("the broker refuses once"));
      }
      return publish(topic, records);
    };
    // After tick 3 went out, an append fails once: the store is down for a moment. (An outage,
    // not a crash: landing on the first fault's batch, whose records are then handled alone as
    // suspects, a crash would rightly dead-letter the record it hit.)
    const append = buckets.append.bind(buckets);
    buckets.append = (id, events, encoded) => {
      if (instructions.length >= 3 && id >= bucketAtFirstFault + 3 && !failedAfter) {
        failedAfter = true;
        return Promise.reject(new ObjectStoreUnavailableError("object store unavailable"));
      }
      return append(id, events, encoded);
    };
  }, async (seen) => {
    await assertOneTickPerPeriod(seen);
    assert.ok(failedSend, "a tick's instruction failed to go out");
    assert.ok(failedAfter, "the collector failed after a tick");
    const restarts = seen.system.health().find((h) => h.name === "collector")?.restarts;
    // The second fault may land while the first one's batch is handled record by record, where
    // the supervisor does not restart the collector again.
    assert.ok((restarts ?? 0) >= 1, `the collector restarted: ${restarts}`);
  });
});

Deno.test(
  "a cron schedule retrains on wall time, each tick on the window before the newest event",
  {
    permissions: { read: true, write: true, env: true },
  },
  async () => {
    await scheduledRun(() => {}, async ({ system, instructions, versions }) => {
      // Every second (croner's six-field form); the replay lasts a few seconds.
      await eventually(() => instructions.length >= 2, { what: "two cron ticks" });
      const ticks = instructions.map((i) =>
        i.reason.match(/^schedule tick (\d+) at stream time (\d+):/)
      );
      assert.ok(ticks.every((tick) => tick !== null), "every retrain names its tick");
      const numbers = ticks.map((tick) => Number(tick![1]));
      assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), `in order: ${numbers}`);
      instructions.forEach((instruction, i) => {
        const streamTime = Number(ticks[i]![2]);
        const version = versions.find((v) => v.version === instruction.datasetVersion)!;
        assert.ok(version.streamTimeStart >= streamTime - WINDOW, `tick ${numbers[i]}: window`);
        assert.ok(version.streamTimeEnd <= streamTime, `tick ${numbers[i]}: before the newest`);
      });
      await system.stop();
      const after = instructions.length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(instructions.length, after, "no tick after the collector stopped");
    }, { cron: "* * * * * *", window: WINDOW });
  },
);

Deno.test("in a lockstep experiment every scheduled retrain runs before the stream goes on", {
  permissions: { read: true, write: true, env: true },
}, async () => {
  await scheduledRun(
    () => {},
    async (seen) => {
      await assertOneTickPerPeriod(seen);
      const { system, instructions } = seen;
      const optimiser = system.view("optimiser");
      // The engine waited at each report until the tick's retrain was done: none was dropped.
      assert.equal(optimiser.dropped, 0);
      const trains = optimiser.jobs.filter((job) => job.action === "train");
      assert.equal(trains.length, instructions.length);
      assert.ok(trains.every((job) => job.status === "completed"), JSON.stringify(trains));
    },
    undefined,
    (config) => ({ ...config, experiment: { mode: "lockstep", settleTimeoutMs: 60_000 } }),
  );
});
