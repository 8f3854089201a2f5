/**
 * Engines in OS processes of their own over Kafka, killed (SIGKILL) or joined by a second one
 * mid-stream: each input partition's run state moves through the changelog, so the output equals
 * a fault-free run's (exactly once: event for event; at least once: no forecast lost, only
 * repeats).
 */

import assert from "node:assert/strict";
import type { Forecast } from "../../core/events.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { ForecastLog, forecastsByKey } from "./fixtures/forecast_log.ts";
import { RoleProcess } from "./fixtures/role_process.ts";
import { type PipelineOptions, type Services, testPipeline } from "./fixtures/test_pipeline.ts";
import { etcdEndpoints, kafkaBrokers } from "../fixtures/services.ts";
import { eventually, within } from "../fixtures/eventually.ts";

const services: Services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };

/** Longest a step may take on a loaded 2-core machine before the test gives up on it. */
const STEP_MS = 60_000;

const VESSELS = 8;
const ROWS_PER_VESSEL = 2_000;
const EVENTS = VESSELS * ROWS_PER_VESSEL;

/**
 * Eight vessels (spread over the input partitions), each the bundled vessel's track from another
 * starting row, interleaved by time.
 */
async function eightVessels(): Promise<string> {
  const file = new URL("../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url);
  const rows = (await Deno.readTextFile(file)).trim().split("\n");
  const lines: string[] = [];
  for (let i = 0; i < ROWS_PER_VESSEL; i++) {
    for (let vessel = 0; vessel < VESSELS; vessel++) {
      const fields = rows[vessel * 1_500 + i].split(",");
      fields[0] = String(1_443_677_401 + 60 * i);
      fields[1] = String(227_592_820 + vessel);
      lines.push(fields.join(","));
    }
  }
  return lines.join("\n") + "\n";
}

const STREAM = await eightVessels();

function options(delivery: "exactly_once" | "at_least_once", paced = true): PipelineOptions {
  return {
    stream: STREAM,
    settings: {
      engine: { delivery, maxBatchRecords: 8 },
      // Paced, so that the faults land mid-stream.
      replayer: {
        rate: paced ? { kind: "events_per_second", value: 2_000 } : { kind: "max" },
        batchEvents: 200,
      },
    },
  };
}

/** The forecasts of the fault-free run: every role in this process, no observer (no retrain). */
async function faultFree(): Promise<Forecast[]> {
  const pipeline = await testPipeline(undefined, options("at_least_once", false));
  try {
    const system = await RetuneSystem.build({
      config: pipeline.config,
      roles: SERVICE_ROLES,
      input: pipeline.stream,
      without: ["observer"],
    });
    const log = await ForecastLog.subscribe(system.transport, system.env.topics.output);
    try {
      await system.start();
      await log.waitFor(EVENTS, STEP_MS);
    } finally {
      await log.stop();
      await system.stop();
    }
    return log.forecasts;
  } finally {
    await pipeline.dispose();
  }
}

const FAULT_FREE = forecastsByKey(await faultFree());

/** A Kafka deployment with a factory and one engine running, the output followed. */
async function deployment(delivery: "exactly_once" | "at_least_once") {
  const pipeline = await testPipeline(services, options(delivery));
  const processes: RoleProcess[] = [];
  const output = new KafkaTransport({
    brokers: pipeline.config.kafka.brokers,
    clientId: "engine-failover-test",
    logger: { warn() {}, error() {} },
  });
  const start = async (role: "factory" | "engine" | "replayer", args: string[] = []) => {
    const child = RoleProcess.start(role, pipeline.configFile, args);
    processes.push(child);
    await within(child.running, { what: `${role} running`, deadlineMs: STEP_MS });
    return child;
  };
  await start("factory");
  const engine = await start("engine");
  // Read committed (the transport's isolation level): what a consumer of the output sees.
  const log = await ForecastLog.subscribe(output, pipeline.config.topics.output.name);
  return {
    pipeline,
    engine,
    log,
    start,
    outputs: () => processes.map((p) => `--- ${p.role}\n${p.output}`).join("\n"),
    async dispose() {
      await log.stop();
      await Promise.all(processes.map((p) => p.kill()));
      await output.close();
      await pipeline.dispose();
    },
  };
}

/** Waits until `count` forecasts arrived, naming the processes' output on failure. */
async function arrived(log: ForecastLog, count: number, outputs: () => string): Promise<void> {
  await log.waitFor(count, STEP_MS).catch((error: Error) => {
    assert.fail(`${error.message} (${log.forecasts.length} so far)\n${outputs()}`);
  });
}

/** How many events (key and counter) the forecasts cover. */
function distinct(forecasts: readonly Forecast[]): number {
  return new Set(forecasts.map((f) => `${f.key}@${f.counter}`)).size;
}

/** The detections (key and counter) of forecasts grouped by key. */
function detections(byKey: ReturnType<typeof forecastsByKey>): string[] {
  return [...byKey].flatMap(([key, list]) =>
    list.filter((f) => f.detection).map((f) => `${key}@${f.counter}`)
  ).sort();
}

for (const delivery of ["exactly_once", "at_least_once"] as const) {
  Deno.test({
    name: `an engine killed mid-stream resumes from its changelog (${delivery})`,
    permissions: { read: true, write: true, net: ["127.0.0.1"], env: true, sys: true, run: true },
    async fn() {
      const run = await deployment(delivery);
      try {
        await run.start("replayer", [`--input=${run.pipeline.stream}`, "--exit-at-end"]);
        await arrived(run.log, EVENTS * 0.3, run.outputs);
        await run.engine.kill();
        const killedAt = performance.now();
        const before = run.log.forecasts.length;
        const successor = await run.start("engine");
        await arrived(run.log, before + 1, run.outputs);
        const resumedMs = performance.now() - killedAt;
        // At least once, repeats count in the log: wait for every event's forecast itself.
        await eventually(() => distinct(run.log.forecasts) >= EVENTS, {
          what: `a forecast of each of the ${EVENTS} events`,
          deadlineMs: STEP_MS,
        });
        const restored = /checkpoint read in (\d+) ms/.exec(successor.output)?.[1];
        console.log(
          `${delivery}: first forecast ${Math.round(resumedMs)} ms after the kill ` +
            `(checkpoint read in ${restored ?? "?"} ms)`,
        );
        assert.ok(restored !== undefined, `the successor restored a checkpoint\n${run.outputs()}`);

        const output = forecastsByKey(run.log.forecasts);
        if (delivery === "exactly_once") {
          assert.deepEqual(output, FAULT_FREE, "committed output equals the fault-free run");
        } else {
          // Repeats only: each key's forecasts, once each, are the fault-free run's.
          const once = new Map(
            [...output].map(([key, list]) => [
              key,
              [...new Map(list.map((f) => [f.counter, f])).values()].sort((a, b) =>
                a.counter - b.counter
              ),
            ]),
          );
          assert.deepEqual(once, FAULT_FREE, "no forecast lost, none changed");
          assert.deepEqual(detections(once), detections(FAULT_FREE));
        }
      } finally {
        await run.dispose();
      }
    },
  });
}

Deno.test({
  name: "engines going 1 -> 2 -> 1 mid-stream forecast as one engine does (exactly_once)",
  permissions: { read: true, write: true, net: ["127.0.0.1"], env: true, sys: true, run: true },
  async fn() {
    const run = await deployment("exactly_once");
    try {
      await run.start("replayer", [`--input=${run.pipeline.stream}`, "--exit-at-end"]);
      await arrived(run.log, EVENTS * 0.2, run.outputs);
      const second = await run.start("engine");
      // Under load a process may start after 60% of the stream went by: wait for the hand-over.
      await eventually(() => /input partition \d+ resumes at offset/.test(second.output), {
        what: "the second engine resumes a partition",
        deadlineMs: STEP_MS,
      });
      await arrived(run.log, EVENTS * 0.6, run.outputs);
      const status = await second.terminate(STEP_MS);
      assert.equal(status?.code, 0, `second engine exit:\n${second.output}`);
      await arrived(run.log, EVENTS, run.outputs);
      assert.match(run.engine.output, /input partition \d+ resumes at offset/, "handed back");
      const output = forecastsByKey(run.log.forecasts);
      assert.deepEqual(detections(output), detections(FAULT_FREE));
      assert.deepEqual(output, FAULT_FREE, "committed output equals one engine's");
    } finally {
      await run.dispose();
    }
  },
});
