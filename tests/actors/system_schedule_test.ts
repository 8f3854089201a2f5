/**
 * A stream-time retrain schedule in the embedded system: every four weeks of stream time the
 * collector announces a dataset version of the closed weekly buckets in the last two weeks and
 * asks for a retrain of that version (the sample's gaps leave some windows one bucket), through the instructions topic as the observer does; the
 * factory ships a model trained on it.
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

const SAMPLE = new URL("../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url);
const WEEK = 604_800_000;

setupLogging({ level: "warning", format: "text" });

function scheduledConfig(dir: string): RetuneConfig {
  const base = defaultConfig();
  return {
    ...base,
    logging: { level: "warning", format: "text" },
    storage: { ...base.storage, dir },
    model: { ...base.model, initialTraining: { ...base.model.initialTraining, events: 1_500 } },
    collector: {
      ...base.collector,
      keep: 4,
      schedule: { every: 4 * WEEK, window: 2 * WEEK },
    },
  };
}

Deno.test("a stream-time schedule retrains once per period on its window's buckets only", {
  permissions: { read: true, write: true, env: true },
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "retune-schedule-" });
  try {
    const system = await RetuneSystem.build({
      config: scheduledConfig(`${dir}/storage`),
      roles: SERVICE_ROLES,
      input: SAMPLE.pathname,
      // Only the schedule asks for retrains.
      without: ["observer"],
    });
    const instructions: Instruction[] = [];
    const versions: DatasetVersion[] = [];
    const { topics } = system.env;
    await system.transport.subscribe({
      group: "test.schedule",
      topics: [topics.instructions, topics.datasetVersions],
      handler: (records) => {
        for (const record of records) {
          const { type, payload } = decodeEnvelope(record.value);
          if (type === "Instruction") instructions.push(payload as Instruction);
          if (type === "DatasetVersion") versions.push(payload as DatasetVersion);
        }
        return Promise.resolve();
      },
    });
    try {
      await system.start();
      await system.waitForEndOfInput();
      await eventually(() => versions.length > 0, { what: "a dataset version" });
      // The first version holds bucket 0, which starts at the first event: the schedule's anchor.
      const first = versions[0].streamTimeStart;
      const last = Math.max(...versions.map((v) => v.streamTimeEnd));
      const expected = Math.floor((last - first) / (4 * WEEK));
      // The newest version ends before the last event: a tick may follow it.
      assert.ok(expected >= 3, `the sample spans ${expected} periods`);
      await eventually(() => instructions.length >= expected, {
        what: `${expected} scheduled retrains`,
      });
      assert.ok(instructions.length <= expected + 1, "at most one tick per period");
      instructions.forEach((instruction, i) => {
        assert.equal(instruction.action, "train");
        assert.equal(instruction.reportId, -1);
        const tick = first + (i + 1) * 4 * WEEK;
        assert.match(
          instruction.reason,
          new RegExp(`^schedule tick ${i + 1} at stream time ${tick}`),
        );
        const version = versions.find((v) => v.version === instruction.datasetVersion)!;
        assert.ok(version.streamTimeStart >= tick - 2 * WEEK, `tick ${i + 1}: window start`);
        assert.ok(version.streamTimeEnd < tick, `tick ${i + 1}: window end`);
        assert.ok(version.buckets.length >= 1, `tick ${i + 1}: a bucket`);
      });
      await eventually(
        () => system.modelVersions.some((m) => m.creationMethod === "retrain"),
        { what: "a model trained on a scheduled window" },
      );
      const retrained = system.modelVersions.filter((m) => m.creationMethod === "retrain");
      const scheduled = new Set(instructions.map((i) => i.datasetVersion));
      assert.ok(retrained.every((m) => scheduled.has(m.datasetVersion)));
    } finally {
      await system.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
