/**
 * The metrics series with `engine.reportBy: partition`: each input partition is scored on the
 * absolute stream-time grid and the observer merges the partitions' counts, so the series it
 * judges is the same for one engine embedded and for engines in OS processes of their own over
 * Kafka and etcd, one joining mid-stream and one killed (SIGKILL), with the observer killed and
 * restarted too: window for window, the same counts.
 */

import assert from "node:assert/strict";
import type { MetricsReport } from "../../core/metrics_report.ts";
import { decodeEnvelope } from "../../protocol/codec.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { ForecastLog } from "./fixtures/forecast_log.ts";
import { RoleProcess } from "./fixtures/role_process.ts";
import { type PipelineOptions, type Services, testPipeline } from "./fixtures/test_pipeline.ts";
import { TopicReader } from "./fixtures/topic_reader.ts";
import { etcdEndpoints, kafkaBrokers } from "../fixtures/services.ts";
import { eventually, within } from "../fixtures/eventually.ts";

/** Longest a step may take on a loaded 2-core machine before the test gives up on it. */
const STEP_MS = 90_000;

const VESSELS = 8;
const ROWS_PER_VESSEL = 2_000;
const EVENTS = VESSELS * ROWS_PER_VESSEL;
const FIRST_SECOND = 1_443_677_401;
const HOUR_MS = 3_600_000;

/** Eight vessels (one to three per input partition), a row a minute each, interleaved by time. */
async function eightVessels(): Promise<string> {
  const file = new URL("../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url);
  const rows = (await Deno.readTextFile(file)).trim().split("\n");
  const lines: string[] = [];
  for (let i = 0; i < ROWS_PER_VESSEL; i++) {
    for (let vessel = 0; vessel < VESSELS; vessel++) {
      const fields = rows[vessel * 1_500 + i].split(",");
      fields[0] = String(FIRST_SECOND + 60 * i);
      fields[1] = String(227_592_820 + vessel);
      lines.push(fields.join(","));
    }
  }
  return lines.join("\n") + "\n";
}

/** Hour windows the stream closes: every one before the last event's (which none closes). */
const WINDOWS = Math.floor((FIRST_SECOND + 60 * (ROWS_PER_VESSEL - 1)) * 1_000 / HOUR_MS) -
  Math.floor(FIRST_SECOND * 1_000 / HOUR_MS);

const STREAM = await eightVessels();

function options(paced: boolean, delivery = "at_least_once"): PipelineOptions {
  return {
    stream: STREAM,
    settings: {
      engine: {
        reportBy: "partition",
        report: { everyStreamMs: HOUR_MS },
        maxBatchRecords: 8,
        delivery,
      },
      replayer: {
        // Paced, so that the joins and kills land mid-stream.
        rate: paced ? { kind: "events_per_second", value: 1_000 } : { kind: "max" },
        batchEvents: 200,
      },
    },
  };
}

/** What a report says of the stream (not of the machine: its rate and lag). */
function ofStream(report: MetricsReport): Omit<MetricsReport, "eventsPerSecond" | "lag"> {
  const { eventsPerSecond: _, lag: __, ...rest } = report;
  return rest;
}

/**
 * The series of one engine embedded with the observer (the whole run in this process; no
 * optimiser, so the model never changes).
 */
async function embedded(): Promise<MetricsReport[]> {
  const pipeline = await testPipeline(undefined, options(false));
  try {
    const system = await RetuneSystem.build({
      config: pipeline.config,
      roles: SERVICE_ROLES,
      input: pipeline.stream,
      without: ["optimiser", "collector", "serving"],
    });
    try {
      await system.start();
      await eventually(() => system.reports.length >= WINDOWS, {
        what: `${WINDOWS} merged reports`,
        deadlineMs: STEP_MS,
      });
      return [...system.reports];
    } finally {
      await system.stop();
    }
  } finally {
    await pipeline.dispose();
  }
}

const services: Services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };

const EXPECTED = await embedded();

Deno.test("one engine embedded gives numbered hour windows on the grid, scored", () => {
  const expected = EXPECTED;
  assert.equal(expected.length, WINDOWS);
  const grid = expected.map((r) => [r.reportId, r.streamTimeStart % HOUR_MS, r.streamTimeEnd]);
  assert.deepEqual(
    grid,
    expected.map((r, i) => [i, 0, r.streamTimeStart + HOUR_MS]),
    "numbered hour windows on the grid",
  );
  assert.equal(
    expected.at(-1)!.eventsProcessed,
    expected.reduce((n, r) => n + r.eventsInBatch, 0),
  );
  assert.ok(expected.some((r) => r.batch.tp > 0), "some windows score forecasts");
});

for (const delivery of ["at_least_once", "exactly_once"] as const) {
  Deno.test({
    name:
      `engines joining, killed, and an observer restarted give one engine's series (${delivery})`,
    permissions: { read: true, write: true, net: ["127.0.0.1"], env: true, sys: true, run: true },
    fn: () => scaledOut(delivery),
  });
}

/** The series over Kafka: one engine, joined by a second, the first then killed; and the observer. */
async function scaledOut(delivery: "at_least_once" | "exactly_once"): Promise<void> {
  const expected = EXPECTED;
  const pipeline = await testPipeline(services, options(true, delivery));
  const processes: RoleProcess[] = [];
  const client = new KafkaTransport({
    brokers: pipeline.config.kafka.brokers,
    clientId: "merged-metrics-test",
    logger: { warn() {}, error() {} },
  });
  const start = async (
    role: "factory" | "engine" | "observer" | "replayer",
    args: string[] = [],
  ) => {
    const child = RoleProcess.start(role, pipeline.configFile, args);
    processes.push(child);
    await within(child.running, { what: `${role} running`, deadlineMs: STEP_MS });
    return child;
  };
  const outputs = () => processes.map((p) => `--- ${p.role}\n${p.output}`).join("\n");
  const forecasts = await ForecastLog.subscribe(client, pipeline.config.topics.output.name);
  const metrics = await TopicReader.subscribe(client, pipeline.config.topics.metrics.name);
  const reports = () =>
    metrics.records.map((record) => decodeEnvelope(record.value))
      .filter((envelope) => envelope.type === "MetricsReport")
      .map((envelope) => envelope.payload as MetricsReport);
  const arrived = async (count: number) => {
    await forecasts.waitFor(count, STEP_MS).catch((error: Error) => {
      assert.fail(`${error.message} (${forecasts.forecasts.length} so far)\n${outputs()}`);
    });
  };
  try {
    await start("factory");
    const first = await start("engine");
    const observer = await start("observer");
    await start("replayer", [`--input=${pipeline.stream}`, "--exit-at-end"]);
    await arrived(EVENTS * 0.2);
    const second = await start("engine");
    // The observer has judged (and saved) some windows when it is killed.
    await eventually(() => reports().length >= 3, {
      what: "3 merged reports before the observer's kill",
      deadlineMs: STEP_MS,
    }).catch((error: Error) => assert.fail(`${error.message}\n${outputs()}`));
    await observer.kill();
    const successor = await start("observer");
    await arrived(EVENTS * 0.5);
    await first.kill();
    await eventually(() => new Set(reports().map((r) => r.reportId)).size >= WINDOWS, {
      what: `${WINDOWS} merged reports`,
      deadlineMs: STEP_MS * 2,
    }).catch((error: Error) => assert.fail(`${error.message}\n${outputs()}`));

    // Published at least once: a report repeated by the restarted observer is the same report.
    const byId = new Map<number, MetricsReport>();
    for (const report of reports()) {
      const seen = byId.get(report.reportId);
      if (seen !== undefined) assert.deepEqual(ofStream(report), ofStream(seen), "a repeat");
      byId.set(report.reportId, report);
    }
    const series = [...byId.values()].sort((a, b) => a.reportId - b.reportId);
    assert.deepEqual(series.map(ofStream), expected.map(ofStream), "the embedded series");
    assert.doesNotMatch(outputs(), /merged without them/, "no partition was counted idle");
    assert.match(second.output, /input partition \d+ resumes at offset/, outputs());
    assert.match(successor.output, /adopting the stored observer state/, outputs());
  } finally {
    await metrics.stop();
    await forecasts.stop();
    await Promise.all(processes.map((p) => p.kill()));
    await client.close();
    await pipeline.dispose();
  }
}
