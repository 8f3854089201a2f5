/**
 * The stream side end to end in embedded mode: every role in one process (in-process transport
 * and registry, file stores in a fresh folder), replaying the first rows of the bundled maritime
 * sample. Each test watches the topics from outside the roles and checks what the run did against
 * an independent account of the input: rows read by the source parser, matches found by a plain
 * `Recognizer` of the same pattern.
 *
 * The last two tests drive the factory alone with commands, as the optimiser would, to show that
 * an optimisation tests candidates on held-out data of the dataset it froze, and keeps that
 * dataset while newer versions arrive.
 *
 * Tests need to read the sample and the pattern, write their temporary folder, and start the
 * factory's training workers (which inherit those permissions).
 */

import assert from "node:assert/strict";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { setupLogging } from "../../logging/setup.ts";
import { defaultConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import {
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  newEnvelope,
} from "../../protocol/codec.ts";
import type { DatasetVersion, ModelVersion } from "../../core/versions.ts";
import type {
  DeadLetter,
  FactoryCommand,
  FactoryReport,
  MessageType,
  PayloadTypes,
} from "../../protocol/messages.ts";
import type { Forecast, StreamEvent } from "../../core/events.ts";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { Scores } from "../../core/scores.ts";
import type { Transport } from "../../transport/transport.ts";
import { InProcessTransport } from "../../transport/in_process.ts";
import { InProcessStateStore } from "../../state/in_process.ts";
import { InProcessRegistry } from "../../registry/in_process.ts";
import { DatasetLedger } from "../../registry/dataset_ledger.ts";
import { ModelCatalog } from "../../registry/model_catalog.ts";
import { FilesystemArtifactStore } from "../../storage/filesystem_artifact_store.ts";
import { FilesystemBucketStore } from "../../storage/filesystem_bucket_store.ts";
import { compilePattern } from "../../models/cef/compile.ts";
import { Recognizer } from "../../models/cef/recognizer.ts";
import { createModel } from "../../models/create_model.ts";
import { modelSpecOf } from "../../config/build_model.ts";
import { LeaderBoard } from "../../actors/leader_board.ts";
import type { Forecaster, ForecastingModel } from "../../models/model.ts";
import { createLineParser, MARITIME_SOURCE, readEvents } from "../../models/sources/read.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES, type ServiceRole } from "../../config/roles.ts";
import { type RoleEnvironment, topicNames } from "../../actors/environment.ts";
import { Factory } from "../../actors/factory.ts";
import type { FactoryView } from "../../actors/factory/factory_state.ts";
import { Supervisor } from "../../actors/runtime/supervisor.ts";
import type { ActorContext, Behaviour } from "../../actors/runtime/actor.ts";
import { eventually } from "../fixtures/eventually.ts";
import { RetriableError } from "../../actors/runtime/failure.ts";

const SAMPLE = fileURLToPath(
  new URL("../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url),
);

/** Rows of the sample each run replays: enough for six buckets and a dozen reports. */
const ROWS = 6_000;

/** What the tests need: the sample and pattern, their own folder, the training workers. */
// The replayer's worker partitions with kafkajs, which reads environment variables when it loads.
const PERMISSIONS: Deno.PermissionOptions = { read: true, write: true, env: true };

setupLogging({ level: "warning", format: "text" });

// ---- input ----

/** A trimmed copy of the sample, with the rows that are not events and where they are. */
interface Input {
  path: string;
  malformed: { line: number; text: string }[];
}

/** Rows a parser must reject: too few columns, a word for a longitude, nothing numeric at all. */
const MALFORMED_ROWS = [
  "1443678000,227592820,-4.48",
  "1443678060,227592820,west,48.35,17.1,176.9,178.6,00100000",
  "not,a,vessel,position,at,all,--,--",
];

/** Writes the first `rows` rows of the sample to `dir`, with `malformed` rows spread among them. */
async function trimmedInput(
  dir: string,
  rows: number,
  malformed: readonly string[] = [],
): Promise<Input> {
  const lines = (await Deno.readTextFile(SAMPLE)).split("\n").slice(0, rows);
  const placed: Input["malformed"] = [];
  malformed.forEach((text, i) => {
    // Spread over the stream; each insertion shifts the later ones by one line.
    const index = Math.round(((i + 1) * rows) / (malformed.length + 1)) + i;
    lines.splice(index, 0, text);
    placed.push({ line: index + 1, text });
  });
  const path = `${dir}/input.csv`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return { path, malformed: placed };
}

/** Every event of the input, as the replayer reads it. */
async function eventsOf(input: Input): Promise<StreamEvent[]> {
  return (await readEvents(input.path, MARITIME_SOURCE)).events;
}

/** The input counters of the matches a plain recognizer of the configured pattern finds. */
async function recognisedMatches(config: RetuneConfig, events: readonly StreamEvent[]) {
  const pattern = compilePattern(await Deno.readTextFile(config.model.pattern), {
    declarations: await Deno.readTextFile(config.model.declarations!),
  });
  const recognizer = new Recognizer(pattern);
  const matches: number[] = [];
  for (const event of events) {
    const step = recognizer.step(event);
    if (step.detection) matches.push(step.counter);
  }
  return matches;
}

// ---- configuration ----

/** Embedded defaults at a test's scale: small reports, buckets and optimisations, files in `dir`. */
function testConfig(dir: string): RetuneConfig {
  const base = defaultConfig();
  return {
    ...base,
    logging: { level: "warning", format: "text" },
    storage: { ...base.storage, dir },
    model: { ...base.model, initialTraining: { ...base.model.initialTraining, events: 1_500 } },
    engine: { ...base.engine, report: { everyEvents: 500 } },
    collector: {
      ...base.collector,
      bucket: { byEvents: 1_000 },
      keep: 2,
      policy: { kind: "last_k", k: 2 },
    },
    optimiser: { ...base.optimiser, evaluations: 4, initialPoints: 2, reuse: 1 },
  };
}

// ---- watching the system ----

/** Collects what a topic carries, decoded (a record may hold several items), from the start of the run. */
async function watch<T>(
  transport: Transport,
  topic: string,
  decode: (bytes: Uint8Array) => readonly T[],
): Promise<T[]> {
  const seen: T[] = [];
  await transport.subscribe({
    group: `test.watch.${crypto.randomUUID()}`,
    topics: [topic],
    handler: (records) => {
      for (const record of records) seen.push(...decode(record.value));
      return Promise.resolve();
    },
  });
  return seen;
}

/** The payload of an envelope that must be of `type`, as `watch` takes it. */
function payloadOf<T extends MessageType>(type: T): (bytes: Uint8Array) => [PayloadTypes[T]] {
  return (bytes) => {
    const envelope = decodeEnvelope(bytes);
    assert.equal(envelope.type, type);
    return [envelope.payload as PayloadTypes[T]];
  };
}

/** Publishes one envelope from outside the roles, as a peer would. */
async function publish<T extends MessageType>(
  transport: Transport,
  topic: string,
  type: T,
  payload: PayloadTypes[T],
): Promise<void> {
  const value = encodeEnvelope(newEnvelope(type, "test", payload));
  await transport.publish(topic, [{ key: null, value }]);
}

/** A built system, its input, and a stop that may be called more than once. */
interface Run {
  system: RetuneSystem;
  input: Input;
  stop(): Promise<void>;
}

/** Builds a system over `input` in a fresh folder, runs `body`, and always stops and cleans up. */
async function withSystem(
  options: {
    input: (dir: string) => Promise<Input>;
    configure?: (config: RetuneConfig) => RetuneConfig;
    without?: readonly ServiceRole[];
  },
  body: (run: Run) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-system-test-" });
  let stopped: Promise<void> | null = null;
  try {
    const input = await options.input(dir);
    const config = (options.configure ?? ((c) => c))(testConfig(`${dir}/storage`));
    const system = await RetuneSystem.build({
      config,
      roles: SERVICE_ROLES,
      input: input.path,
      without: options.without,
    });
    const stop = () => stopped ??= system.stop();
    try {
      await body({ system, input, stop });
    } finally {
      await stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Starts the system and waits until the engine and then the collector are through the input. */
async function runThroughInput(system: RetuneSystem): Promise<void> {
  await system.start();
  await system.waitForEndOfInput();
  await eventually(
    () => system.view("collector").eventsCollected === system.view("engine").eventsProcessed,
    { what: "the collector caught up with the engine" },
  );
}

// ---- the stream side ----

Deno.test("no event is lost: each is forecast once, bad rows are dead-lettered with their text", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem(
    { input: (dir) => trimmedInput(dir, ROWS, MALFORMED_ROWS) },
    async ({ system, input, stop }) => {
      const { topics } = system.env;
      const deadLetters = await watch(
        system.transport,
        topics.deadLetters,
        (bytes) => [decodePayload("DeadLetter", bytes)],
      );
      const forecasts = await watch(
        system.transport,
        topics.output,
        (bytes) => decodePayload("ForecastBatch", bytes).forecasts,
      );
      await system.start();
      await system.waitForEndOfInput();
      const events = await eventsOf(input);
      await eventually(() => {
        const engine = system.view("engine");
        return forecasts.length === engine.forecasts &&
          deadLetters.length === system.view("replayer").rejected + engine.deadLetters;
      }, { what: "every forecast and dead letter published is watched" });
      await stop();
      const summary = system.summary();

      assert.equal(summary.events_in, events.length + MALFORMED_ROWS.length);
      assert.equal(summary.events_in, summary.events_processed + summary.dead_letters);
      assert.equal(summary.dead_letters, MALFORMED_ROWS.length);
      assert.equal(summary.events_processed, events.length);

      const parse = createLineParser(MARITIME_SOURCE);
      assert.deepEqual(
        deadLetters.map(describeDeadLetter),
        input.malformed.map(({ line, text }) => {
          const parsed = parse(text);
          assert.ok(!parsed.ok, `row ${line} is malformed`);
          return {
            source: `file:${input.path}`,
            line,
            reason: `line ${line}: ${parsed.reason}`,
            text,
          };
        }),
      );

      // The forecaster emits one forecast per event (models/cef/forecast/forecaster.ts).
      assert.equal(summary.forecasts, summary.events_processed);
      assert.deepEqual(
        forecasts.map((f) => f.counter),
        events.map((_, i) => i + 1),
        "one forecast per event, in stream order",
      );

      const expected = await recognisedMatches(system.env.config, events);
      assert.ok(expected.length > 0, "the trimmed stream holds matches");
      assert.equal(summary.matches, expected.length);
      assert.deepEqual(detectedCounters(forecasts), expected);
    },
  );
});

Deno.test("buckets past retention go during the run, the rest when an embedded system stops", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem(
    // No observer: no optimisation freezes a dataset, so retention runs as configured.
    { input: (dir) => trimmedInput(dir, ROWS), without: ["observer"] },
    async ({ system, stop }) => {
      const { topics, buckets } = system.env;
      const announced = await watch(
        system.transport,
        topics.datasetVersions,
        payloadOf("DatasetVersion"),
      );
      const deleted = recordDeletions(buckets);
      await runThroughInput(system);

      // 6,000 events in buckets of 1,000: buckets 0..4 closed, 5 still open at the end.
      const closed = 5;
      await eventually(() => system.view("factory").datasetsAssembled === closed, {
        what: "every announced version is assembled",
      });
      // Keep 2: buckets 0..2 go once no pending or assembling version references them.
      await eventually(() => deleted.length === 3, { what: "retention deleted buckets 0..2" });
      assert.deepEqual(deleted.toSorted(), [0, 1, 2]);
      assert.deepEqual(announced.map(bucketsOfVersion), [[0], [0, 1], [1, 2], [2, 3], [3, 4]]);
      // Released versions leave the ledger; v3 may be released only after the last collection.
      await eventually(async () => {
        const left = (await system.env.ledger.versions()).map((v) => v.dataset.version);
        return ["3,4", "4"].includes(left.join());
      }, { what: "released versions 0..2 are collected" });

      await stop();
      const summary = system.summary();
      assert.equal(summary.dataset_versions, closed);
      assert.equal(summary.buckets_deleted, 3, "the collector deletes past retention only");
      // The ledger lived in this process: the embedded deployment ends with it, buckets and all.
      assert.deepEqual(deleted.toSorted(), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(await filesIn(`${system.env.config.storage.dir}/buckets`), []);
    },
  );
});

Deno.test("a restarted collector keeps every bucket a dataset version references", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem(
    { input: (dir) => trimmedInput(dir, ROWS), without: ["observer"] },
    async ({ system }) => {
      const { buckets, ledger } = system.env;
      const deleted = recordDeletions(buckets);
      // Once two buckets exist, one append crashes the collector: the supervisor restarts it.
      const append = buckets.append.bind(buckets);
      let crashed = false;
      buckets.append = async (id, events, encoded) => {
        if (!crashed && id === 2) {
          crashed = true;
          throw new Error("the collector crashes once");
        }
        return await append(id, events, encoded);
      };
      await runThroughInput(system);
      assert.ok(crashed, "the collector crashed");
      assert.equal(system.view("collector").eventsCollected, system.view("replayer").sent);
      const inUse = await ledger.bucketsInUse();
      const kept = new Set(await buckets.list());
      for (const bucket of inUse) assert.ok(kept.has(bucket), `bucket ${bucket} was deleted`);
      // Retention alone deletes, and only buckets no version in use references.
      for (const bucket of deleted) assert.ok(!inUse.has(bucket), `bucket ${bucket} in use`);
    },
  );
});

Deno.test("a model swapped in mid-stream loses no event, forecast or match", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem(
    {
      input: (dir) => trimmedInput(dir, ROWS),
      // The only instruction is the test's; paced so the new model arrives mid-stream.
      without: ["observer"],
      configure: (config) => ({
        ...config,
        replayer: { ...config.replayer, rate: { kind: "events_per_second", value: 3_000 } },
      }),
    },
    async ({ system, input, stop }) => {
      const { topics } = system.env;
      const forecasts = await watch(
        system.transport,
        topics.output,
        (bytes) => decodePayload("ForecastBatch", bytes).forecasts,
      );
      await system.start();
      await eventually(() =>
        system.view("factory").datasetsAssembled >= 1 &&
        system.view("engine").eventsProcessed >= ROWS / 3, {
        what: "a dataset is assembled and a third of the stream processed",
      });
      await publish(system.transport, topics.instructions, "Instruction", {
        action: "train",
        reason: "test",
        reportId: 0,
      });
      await system.waitForEndOfInput();
      const events = await eventsOf(input);
      await eventually(() => forecasts.length === events.length, { what: "every forecast is out" });
      await stop();
      const summary = system.summary();

      assert.equal(summary.events_in, summary.events_processed + summary.dead_letters);
      assert.equal(summary.events_processed, events.length);
      assert.equal(summary.swaps.length, 2, "the initial model, then the retrained one");
      const [initial, swap] = summary.swaps;
      assert.deepEqual([initial.modelVersion, initial.eventsProcessed], [0, 0]);
      assert.equal(swap.modelVersion, 1);
      assert.ok(
        swap.eventsProcessed >= ROWS / 3 && swap.eventsProcessed < events.length,
        `swapped mid-stream: after ${swap.eventsProcessed} of ${events.length} events`,
      );

      // Forecasts never stop: the old model's up to the swap, the new one's from the next event.
      assert.deepEqual(forecasts.map((f) => f.counter), events.map((_, i) => i + 1));
      assert.deepEqual(
        forecasts.map((f) => f.modelVersion),
        events.map((_, i) => i < swap.eventsProcessed ? 0 : 1),
      );
      const after = summary.reports.filter((r) => r.eventsProcessed > swap.eventsProcessed);
      assert.ok(after.length > 0, "reports follow the swap");
      for (const report of after) {
        assert.equal(report.modelVersion, 1, `report ${report.reportId} is the new model's`);
        assert.ok(report.eventsInBatch > 0, `report ${report.reportId} has events`);
      }

      const expected = await recognisedMatches(system.env.config, events);
      assert.equal(summary.matches, expected.length);
      assert.deepEqual(detectedCounters(forecasts), expected);
    },
  );
});

Deno.test("the collector never buckets an event before a late, slow engine has processed it", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem({
    input: (dir) => trimmedInput(dir, ROWS),
    configure: (config) => ({
      ...config,
      supervision: { ...config.supervision, initialBackoffMs: 20, maxRestarts: 50 },
    }),
  }, async ({ system }) => {
    const { env } = system;
    // The engine cannot load a model until the replay began, so it restarts and rejoins the
    // input after the collector, which is then handed every record first. A busy-waiting engine
    // alone would not do: it processes each batch before any other consumer runs.
    let refused = 0;
    env.model = lateAndSlow(env.model, () => {
      if (system.view("replayer").sent > 0) return true;
      refused++;
      return false;
    }, 0.02);
    let appended = 0;
    let calls = 0;
    const violations: string[] = [];
    const append = env.buckets.append.bind(env.buckets);
    env.buckets.append = (id, events, encoded) => {
      calls++;
      appended += events.length;
      const engine = system.view("engine");
      const processed = engine.eventsProcessed + engine.deadLetters;
      if (appended > processed) {
        violations.push(`${appended} events bucketed, ${processed} processed by the engine`);
      }
      return append(id, events, encoded);
    };
    await runThroughInput(system);

    assert.ok(refused > 0, "the engine was late");
    assert.ok(calls > 1, `the collector appended in ${calls} calls`);
    assert.equal(appended, system.view("engine").eventsProcessed);
    assert.equal(appended, system.view("replayer").sent);
    assert.deepEqual(violations, []);
  });
});

Deno.test("a restarted collector continues its bucket sequence: no bucket id is used twice", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem({
    input: (dir) => trimmedInput(dir, ROWS),
    configure: (config) => ({
      ...config,
      supervision: { ...config.supervision, initialBackoffMs: 20 },
    }),
    without: ["observer"],
  }, async ({ system }) => {
    const { env } = system;
    // The bucket ids appended to, one entry per run of appends to the same bucket.
    const filled: number[] = [];
    let crashed = false;
    const append = env.buckets.append.bind(env.buckets);
    env.buckets.append = (id, events, encoded) => {
      if (filled.at(-1) !== id) {
        // The collector crashes once, as it opens its third bucket.
        if (filled.length === 2 && !crashed) {
          crashed = true;
          return Promise.reject(new Error("disk unavailable"));
        }
        filled.push(id);
      }
      return append(id, events, encoded);
    };
    await runThroughInput(system);

    assert.ok(crashed, "the collector crashed");
    assert.ok(filled.length >= 4, `buckets filled: ${filled}`);
    assert.deepEqual(filled.slice(0, 2), [0, 1]);
    assert.ok(
      filled.every((id, i) => i === 0 || id > filled[i - 1]),
      `bucket ids only grow across the restart: ${filled}`,
    );
    assert.equal(system.view("collector").eventsCollected, system.view("replayer").sent);
  });
});

Deno.test("the collector catches up when the engine's input pauses between two positions", {
  permissions: PERMISSIONS,
}, async () => {
  await withSystem({
    input: (dir) => trimmedInput(dir, ROWS),
    // Neither cadence is reached: only the pause at the end of the input can publish the position.
    configure: (config) => ({
      ...config,
      engine: {
        ...config.engine,
        report: { everyEvents: 1_000_000 },
        positionEveryEvents: 1_000_000,
      },
    }),
    without: ["observer"],
  }, async ({ system }) => {
    await runThroughInput(system);
    assert.equal(system.view("collector").eventsCollected, system.view("replayer").sent);
  });
});

/**
 * A model whose forecasters cannot be loaded until `ready()` and then spend about `ms` busy per
 * event.
 */
function lateAndSlow(model: ForecastingModel, ready: () => boolean, ms: number): ForecastingModel {
  return {
    name: model.name,
    train: (dataset, params) => model.train(dataset, params),
    test: (artifact, dataset, settings) => model.test(artifact, dataset, settings),
    async load(artifact, settings, version): Promise<Forecaster> {
      if (!ready()) throw new RetriableError("the model store is not reachable yet");
      const forecaster = await model.load(artifact, settings, version);
      return {
        version: forecaster.version,
        process(event) {
          const until = performance.now() + ms;
          while (performance.now() < until) { /* busy: the engine is the bottleneck */ }
          return forecaster.process(event);
        },
        snapshot: () => forecaster.snapshot(),
        restore: (state) => forecaster.restore(state),
        snapshotOf: (select) => forecaster.snapshotOf(select),
        merge: (state) => forecaster.merge(state),
        drop: (select) => forecaster.drop(select),
      };
    },
  };
}

/** Records the ids of the buckets the store deletes. */
function recordDeletions(buckets: RoleEnvironment["buckets"]): number[] {
  const deleted: number[] = [];
  const remove = buckets.delete.bind(buckets);
  buckets.delete = (id) => {
    deleted.push(id);
    return remove(id);
  };
  return deleted;
}

function describeDeadLetter(letter: DeadLetter) {
  return {
    source: letter.sourceTopic,
    line: letter.offset,
    reason: letter.reason,
    text: new TextDecoder().decode(letter.original),
  };
}

function detectedCounters(forecasts: readonly Forecast[]): number[] {
  return forecasts.filter((f) => f.detection).map((f) => f.counter);
}

function bucketsOfVersion(version: DatasetVersion): number[] {
  return version.buckets.map((ref) => ref.bucket);
}

/** Names of the files in `dir` (none if it does not exist). */
async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

// ---- the factory under an optimisation ----

/** Parameters of the candidate the tests evaluate: not the initial ones. */
const CANDIDATE: HyperParameters = {
  order: 3,
  threshold: 0.3,
  pMin: 0.001,
  gamma: 0.001,
  alpha: 0,
  r: 1.05,
};

/** Events per bucket the tests store: bucket b holds events b * 1000 .. b * 1000 + 999. */
const BUCKET_EVENTS = 1_000;

/** A supervised factory on its own, fed dataset versions and commands from the test. */
class FactoryHarness {
  readonly env: RoleEnvironment;
  #factory: Factory | undefined;
  #context: ActorContext | undefined;
  #incarnations = 0;
  readonly #transport: Transport;
  readonly #events: StreamEvent[];
  readonly #reports: FactoryReport[];
  readonly #supervisor: Supervisor;
  #announced = 0;

  private constructor(
    env: RoleEnvironment,
    transport: Transport,
    events: StreamEvent[],
    reports: FactoryReport[],
    maxRestarts: number,
  ) {
    this.env = env;
    this.#transport = transport;
    this.#events = events;
    this.#reports = reports;
    this.#supervisor = new Supervisor({
      name: "test",
      transport,
      children: [{ name: "factory", create: (previous) => this.#incarnate(previous) }],
      maxRestarts,
      backoff: { initialMs: 10, maxMs: 10, factor: 2, jitter: 0 },
    });
  }

  /** A factory restored from `previous`, whose context the harness keeps to crash it. */
  #incarnate(previous: unknown): Behaviour {
    const factory = this.#factory = new Factory(this.env, previous);
    this.#incarnations++;
    return {
      start: (context) => {
        this.#context = context;
        return factory.start(context);
      },
      postStop: () => factory.postStop(),
      snapshot: () => factory.snapshot(),
    };
  }

  /** Crashes the running factory and waits until its successor is made. */
  async crash(): Promise<void> {
    const before = this.#incarnations;
    this.#context!.fail(new Error("crashed by the test"));
    await eventually(() => this.#incarnations > before, { what: "the factory is restarted" });
  }

  /** What the factory reports. */
  view(): Readonly<FactoryView> {
    return this.#factory!.view();
  }

  /** A factory storing under `dir` whose initial model is trained on the trimmed sample. */
  static async start(dir: string, maxRestarts = 0): Promise<FactoryHarness> {
    const input = await trimmedInput(dir, ROWS);
    const base = testConfig(`${dir}/storage`);
    const config: RetuneConfig = {
      ...base,
      model: {
        ...base.model,
        initialTraining: { ...base.model.initialTraining, file: input.path },
      },
      factory: { ...base.factory, keepModels: 2 },
    };
    const registry = new InProcessRegistry();
    const modelSpec = await modelSpecOf(config.model, config.storage.dir);
    const env: RoleEnvironment = {
      instance: "test",
      config,
      serves: { name: "default", select: () => true },
      topics: topicNames(config),
      registry,
      catalog: new ModelCatalog(registry),
      ledger: new DatasetLedger(registry),
      buckets: new FilesystemBucketStore(`${config.storage.dir}/buckets`),
      artifacts: new FilesystemArtifactStore(`${config.storage.dir}/artifacts`),
      state: new InProcessStateStore("test"),
      model: createModel(modelSpec),
      modelSpec,
      leaders: new LeaderBoard(),
    };
    const transport = new InProcessTransport();
    const reports = await watch(transport, env.topics.factoryReports, payloadOf("FactoryReport"));
    const harness = new FactoryHarness(
      env,
      transport,
      await eventsOf(input),
      reports,
      maxRestarts,
    );
    await harness.#supervisor.start();
    await eventually(() => harness.view().modelsShipped.length === 1, {
      what: "the initial model shipped",
    });
    return harness;
  }

  /** The events of the given buckets, as the factory assembles them. */
  eventsOf(buckets: readonly number[]): StreamEvent[] {
    return buckets.flatMap((b) => this.#events.slice(b * BUCKET_EVENTS, (b + 1) * BUCKET_EVENTS));
  }

  /**
   * Stores the buckets and announces a version of them as the collector would; waits until it is
   * assembled, or with `assembled: false` only until its assembly began.
   */
  async announce(
    version: number,
    buckets: readonly number[],
    { assembled: waitForAssembly = true } = {},
  ): Promise<void> {
    const { env } = this;
    const stored = new Set(await env.buckets.list());
    for (const bucket of buckets.filter((b) => !stored.has(b))) {
      await env.buckets.append(bucket, this.eventsOf([bucket]));
      await env.buckets.close(bucket);
      await env.ledger.registerBucket(bucket);
    }
    const events = this.eventsOf(buckets);
    const dataset: DatasetVersion = {
      version,
      buckets: buckets.map((bucket) => ({ bucket, weight: 1 })),
      firstBucket: Math.min(...buckets),
      lastBucket: Math.max(...buckets),
      streamTimeStart: events[0].timestamp,
      streamTimeEnd: events.at(-1)!.timestamp,
      createdAt: Date.now(),
    };
    await env.ledger.announce(dataset);
    await publish(this.#transport, env.topics.datasetVersions, "DatasetVersion", dataset);
    const assembled = ++this.#announced;
    if (!waitForAssembly) {
      await eventually(async () => (await env.ledger.version(version))?.state !== "pending", {
        what: `the assembly of dataset version ${version} began`,
      });
      return;
    }
    await eventually(() => this.view().datasetsAssembled === assembled, {
      what: `dataset version ${version} is assembled`,
    });
  }

  /**
   * Sends a command as the optimiser would (under `requestId`: a new one unless a command is
   * sent again) and returns its request id, without waiting.
   */
  async post(command: CommandBody, requestId: string = crypto.randomUUID()): Promise<string> {
    const full = { ...command, requestId, deadline: Date.now() + 60_000 } as FactoryCommand;
    await publish(this.#transport, this.env.topics.factoryCommands, "FactoryCommand", full);
    return requestId;
  }

  /** The factory's reports on request `requestId` so far. */
  reportsOn(requestId: string): FactoryReport[] {
    return this.#reports.filter((report) => report.requestId === requestId);
  }

  /** Sends a command as the optimiser would and returns the factory's report on it. */
  async command(command: CommandBody): Promise<FactoryReport> {
    const requestId = await this.post(command);
    let report: FactoryReport | undefined;
    await eventually(
      () => (report = this.#reports.find((r) => r.requestId === requestId)) !== undefined,
      { what: `the factory answered '${command.kind}'` },
    );
    return report!;
  }

  /** Sends an abort, which the factory does not answer. */
  async abort(runId: string): Promise<void> {
    const command: FactoryCommand = {
      kind: "opt_abort",
      requestId: crypto.randomUUID(),
      runId,
      reason: "test",
    };
    await publish(this.#transport, this.env.topics.factoryCommands, "FactoryCommand", command);
  }

  /** Names of the stored artifacts of `kind`. */
  async artifacts(kind: "datasets" | "models"): Promise<string[]> {
    return (await this.env.artifacts.list(kind)).map((uri) => basename(new URL(uri).pathname));
  }

  /** The dataset ledger's record of `version`. */
  async ledgerEntry(version: number) {
    const entry = await this.env.ledger.version(version);
    assert.ok(entry, `dataset version ${version} is in the ledger`);
    return { state: entry.state, frozenBy: entry.frozenBy };
  }

  /** Stops the factory and its transport and registry. */
  async stop(): Promise<void> {
    await this.#supervisor.stop();
    await this.#transport.close();
    await this.env.registry.close();
  }
}

/** A command the factory answers, without the fields the harness fills in. */
type CommandBody = WithoutRequest<Exclude<FactoryCommand, { kind: "opt_abort" }>>;
type WithoutRequest<C> = C extends unknown ? Omit<C, "requestId" | "deadline"> : never;

/** Runs `body` with a started factory in a fresh folder; always stops it and cleans up. */
/** Announces dataset 0 and opens optimisation `run-1` on it. */
async function openRun(factory: FactoryHarness): Promise<void> {
  await factory.announce(0, [0, 1]);
  const ready = await factory.command({ kind: "opt_init", runId: "run-1" });
  assert.equal(ready.kind, "opt_ready", JSON.stringify(ready));
}

async function withFactory(
  body: (factory: FactoryHarness) => Promise<void>,
  maxRestarts = 0,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-factory-test-" });
  try {
    const factory = await FactoryHarness.start(dir, maxRestarts);
    try {
      await body(factory);
    } finally {
      await factory.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A model's version, how it was made and on which dataset version (-1: the initial stream). */
function provenance(model: ModelVersion): [number, string, number] {
  return [model.version, model.creationMethod, model.datasetVersion];
}

/** The scores of `params` trained on the earlier part of `events` and tested on the held-out rest. */
async function heldOutScores(
  env: RoleEnvironment,
  events: readonly StreamEvent[],
  params: HyperParameters,
): Promise<Scores> {
  const scheme = env.config.factory.evaluation;
  assert.equal(scheme.kind, "holdout");
  const cut = Math.round(events.length * (1 - scheme.testFraction));
  return await scoresOf(env, events.slice(0, cut), events.slice(cut), params);
}

/** The scores of `params` trained on `train` and tested on `test`. */
async function scoresOf(
  env: RoleEnvironment,
  train: readonly StreamEvent[],
  test: readonly StreamEvent[],
  params: HyperParameters,
): Promise<Scores> {
  const settings = { ...env.config.model.forecast, threshold: params.threshold };
  const metrics = await env.model.test(await env.model.train(train, params), test, settings);
  const { tp, tn, fp, fn, precision, recall, f1, specificity, mcc } = metrics;
  return { tp, tn, fp, fn, precision, recall, f1, specificity, mcc };
}

Deno.test("an optimisation tests and builds on the dataset it froze, not on newer ones", {
  permissions: PERMISSIONS,
}, async () => {
  await withFactory(async (factory) => {
    await factory.announce(0, [0, 1]);
    const retrained = await factory.command({ kind: "train", params: CANDIDATE });
    assert.equal(retrained.kind, "trained");

    const ready = await factory.command({ kind: "opt_init", runId: "run-1" });
    assert.deepEqual(ready, { ...ready, kind: "opt_ready", datasetVersion: 0 });
    await factory.announce(1, [2, 3]);
    await factory.announce(2, [4, 5]);
    // Assembling v2 releases the previous newest, v1, and only it: v0 is frozen.
    await eventually(() => factory.view().datasetsDeleted === 1, { what: "a dataset is released" });
    assert.deepEqual(await factory.artifacts("datasets"), ["v0.jsonl", "v2.jsonl"]);
    assert.deepEqual(await factory.ledgerEntry(0), { state: "assembled", frozenBy: ["run-1"] });
    assert.deepEqual(await factory.ledgerEntry(1), { state: "released", frozenBy: [] });

    // The candidate is scored on the later part of the frozen dataset only.
    const step = await factory.command({
      kind: "opt_step",
      runId: "run-1",
      stepId: 0,
      params: CANDIDATE,
    });
    assert.equal(step.kind, "step_result");
    const frozen = factory.eventsOf([0, 1]);
    const expected = await heldOutScores(factory.env, frozen, CANDIDATE);
    assert.deepEqual(step.metrics, expected);
    // Neither the newest dataset nor the candidate's own training data would score the same.
    const newest = await heldOutScores(factory.env, factory.eventsOf([4, 5]), CANDIDATE);
    const inSample = await scoresOf(factory.env, frozen, frozen, CANDIDATE);
    assert.notDeepEqual(step.metrics, newest);
    assert.notDeepEqual(step.metrics, inSample);

    // A retrain meanwhile uses the newest dataset; the run's result is built on the frozen one.
    const during = await factory.command({ kind: "train", params: CANDIDATE });
    assert.equal(during.kind, "trained");
    const done = await factory.command({ kind: "opt_finalise", runId: "run-1", params: CANDIDATE });
    assert.equal(done.kind, "opt_done");
    assert.deepEqual(factory.view().modelsShipped.map(provenance), [
      [0, "initial", -1],
      [1, "retrain", 0],
      [2, "retrain", 2],
      [3, "optimise", 0],
    ]);

    // The run is over: its dataset goes, and only the two newest models' artifacts are kept
    // (factory.keepModels); every version's record stays, with its lineage.
    assert.deepEqual(await factory.artifacts("datasets"), ["v2.jsonl"]);
    assert.deepEqual(await factory.ledgerEntry(0), { state: "released", frozenBy: [] });
    assert.deepEqual(await factory.artifacts("models"), ["v2.json", "v3.json"]);
    const catalogue = await factory.env.catalog.list();
    assert.deepEqual(
      catalogue.map((
        m,
      ) => [m.version, m.lineage.parent, m.lineage.reason, m.artifactRetiredAt !== null]),
      [[0, null, "initial", true], [1, 0, "retrain", true], [2, 1, "retrain", false], [
        3,
        2,
        "optimise",
        false,
      ]],
    );
    assert.equal((await factory.env.catalog.designation())?.version, 3, "the newest is live");
  });
});

Deno.test(
  "a retrain fails at once without a dataset, and waits for the first one being assembled",
  {
    permissions: PERMISSIONS,
  },
  async () => {
    await withFactory(async (factory) => {
      const early = await factory.command({ kind: "train", params: CANDIDATE });
      assert.deepEqual(early, { ...early, kind: "failed", reason: "no dataset assembled yet" });
      await factory.announce(0, [0, 1], { assembled: false });
      const trained = await factory.command({ kind: "train", params: CANDIDATE });
      assert.equal(trained.kind, "trained");
      assert.deepEqual(factory.view().modelsShipped.map(provenance), [
        [0, "initial", -1],
        [1, "retrain", 0],
      ]);
    });
  },
);

Deno.test(
  "a factory that fails while serving a step answers it in its next incarnation, never as failed",
  { permissions: PERMISSIONS },
  async () => {
    await withFactory(async (factory) => {
      await openRun(factory);

      const requestId = await factory.post({
        kind: "opt_step",
        runId: "run-1",
        stepId: 0,
        params: CANDIDATE,
      });
      await eventually(() => factory.view().commandsAccepted === 1, {
        what: "the factory took the step",
        everyMs: 1,
      });
      // Its offset is committed: only the stored state can bring the step back.
      await factory.crash();
      await eventually(() => factory.reportsOn(requestId).length > 0, {
        what: "the step is answered",
      });
      assert.deepEqual(factory.reportsOn(requestId).map((report) => report.kind), ["step_result"]);
      await eventually(() => factory.view().commandsAccepted === 0, {
        what: "the answered step is forgotten",
      });
    }, 1);
  },
);

Deno.test(
  "a retrain or final model served again under its request id ships no second model",
  { permissions: PERMISSIONS },
  async () => {
    await withFactory(async (factory) => {
      await openRun(factory);
      const commands: CommandBody[] = [
        { kind: "train", params: CANDIDATE },
        { kind: "opt_finalise", runId: "run-1", params: CANDIDATE },
      ];
      for (const command of commands) {
        const requestId = await factory.post(command);
        await eventually(() => factory.reportsOn(requestId).length === 1, {
          what: `the factory answered '${command.kind}'`,
        });
        const recorded = (await factory.env.catalog.list()).length;
        // As a successor re-serves a command its predecessor shipped a model for, then died.
        await factory.post(command, requestId);
        await eventually(() => factory.reportsOn(requestId).length === 2, {
          what: `the factory answered '${command.kind}' again`,
        });
        const [first, again] = factory.reportsOn(requestId);
        assert.ok(first.kind === "trained" || first.kind === "opt_done", JSON.stringify(first));
        assert.deepEqual(again, first);
        const catalogue = await factory.env.catalog.list();
        assert.equal(catalogue.length, recorded, "no second model for one request");
        assert.equal(catalogue.at(-1)?.requestId, requestId);
      }
      assert.equal(factory.view().runs, 0);
      assert.equal(
        new Set(factory.view().modelsShipped.map((model) => model.version)).size,
        factory.view().modelsShipped.length,
        "each model counted shipped once",
      );
    }, 1);
  },
);

Deno.test(
  "a factory restarted mid-optimisation serves the run on its frozen dataset and retrains",
  {
    permissions: PERMISSIONS,
  },
  async () => {
    await withFactory(async (factory) => {
      await factory.announce(0, [0, 1]);
      const ready = await factory.command({ kind: "opt_init", runId: "run-1" });
      assert.deepEqual(ready, { ...ready, kind: "opt_ready", datasetVersion: 0 });

      await factory.crash();
      assert.deepEqual(factory.view(), {
        datasetsAssembled: 1,
        datasetsDeleted: 0,
        candidatesEvaluated: 0,
        modelsShipped: factory.view().modelsShipped,
        latestDataset: 0,
        scheduledDataset: null,
        runs: 1,
        candidateJobsRun: 0,
        commandsAccepted: 0,
        liveKept: 0,
      });
      assert.equal(factory.view().modelsShipped.length, 1);
      const step = await factory.command({
        kind: "opt_step",
        runId: "run-1",
        stepId: 0,
        params: CANDIDATE,
      });
      assert.equal(step.kind, "step_result", JSON.stringify(step));
      const trained = await factory.command({ kind: "train", params: CANDIDATE });
      assert.equal(trained.kind, "trained", JSON.stringify(trained));
      const done = await factory.command({
        kind: "opt_finalise",
        runId: "run-1",
        params: CANDIDATE,
      });
      assert.equal(done.kind, "opt_done", JSON.stringify(done));
      assert.deepEqual(await factory.ledgerEntry(0), { state: "assembled", frozenBy: [] });
      assert.equal(factory.view().runs, 0);
    }, 1);
  },
);

Deno.test("an aborted optimisation releases the dataset it froze", {
  permissions: PERMISSIONS,
}, async () => {
  await withFactory(async (factory) => {
    await factory.announce(0, [0, 1]);
    const ready = await factory.command({ kind: "opt_init", runId: "run-1" });
    assert.deepEqual(ready, { ...ready, kind: "opt_ready", datasetVersion: 0 });
    await factory.announce(1, [2, 3]);
    assert.deepEqual(await factory.artifacts("datasets"), ["v0.jsonl", "v1.jsonl"]);

    await factory.abort("run-1");
    await eventually(() => factory.view().datasetsDeleted === 1, {
      what: "the frozen dataset is released",
    });
    assert.deepEqual(await factory.artifacts("datasets"), ["v1.jsonl"]);
    assert.deepEqual(await factory.ledgerEntry(0), { state: "released", frozenBy: [] });
    assert.deepEqual(await factory.ledgerEntry(1), { state: "assembled", frozenBy: [] });
  });
});
