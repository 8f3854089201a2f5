/**
 * Retune over Kafka and etcd with N engines, each an OS process of its own in one consumer group,
 * as deployed (`main.ts --role=...`): a factory process trains the initial model, N engine
 * processes join the engine group, and once the group is stable with N members a replayer
 * process publishes the input at full speed. The run is timed in this process by a consumer
 * group on the output topic, from the replayer's start to the last forecast read; the steady
 * rate leaves out the stretch before the first forecast (the replayer's process start).
 *
 * `timeRestore` measures what issue 12 calls the restore time: one engine process is killed with
 * SIGKILL a third of the way through the output, a new one is started at once (as a supervisor
 * or Kubernetes would), and the time is taken from the kill to the new process resuming every
 * input partition from its checkpoint (the engine logs each one); the run then goes on to the
 * end, so the output still holds every forecast.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { nanoid } from "nanoid";
import { stringify } from "yaml";
import { Kafka, logLevel } from "kafkajs";
import { decodeData } from "../protocol/codec.ts";
import { loadConfig } from "../config/load.ts";
import type { RetuneConfig } from "../config/schema.ts";
import type { ServiceRole } from "../config/roles.ts";
import { KafkaTransport } from "../transport/kafka.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../scripts/topics.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
/** Longest a role process may take to run, and the group to settle, ms. */
const START_TIMEOUT_MS = 120_000;
/** Longest the output may take to hold every forecast once the replayer started, ms. */
const RUN_TIMEOUT_MS = 600_000;

/** One run with N engines. */
export interface EnginesRun {
  engines: number;
  seconds: number;
  eventsPerSecond: number;
  /** Events over the time from the first forecast read to the last. */
  steadyEventsPerSecond: number;
}

/** What the run needs. */
export interface EnginesRunOptions {
  /** The pipeline's configuration (Kafka transport); topics and storage are made its own. */
  base: RetuneConfig;
  brokers: string[];
  etcdEndpoints: string[];
  /** The input CSV the replayer reads; it also trains the initial model. */
  input: string;
  /** Forecasts the run must produce (the in-process run's count over the same input). */
  forecasts: number;
  engines: number;
  /** Folder for the run's configuration and storage. */
  dir: string;
  /** Extra settings (`engine.delivery`, say) merged into the engine section. */
  engine?: Record<string, unknown>;
  /** Folder the engine processes write V8 CPU profiles to (`deno run --cpu-prof`), if any. */
  profileDir?: string;
}

/** How an engine process came back from kill -9 (`timeRestore`). */
export interface RestoreRun {
  /** Seconds from the SIGKILL to the new process resuming the last input partition. */
  restoreSeconds: number;
  /** Seconds from the new process's start to its role running (runtime and model load). */
  processStartSeconds: number;
  /** Input partitions resumed from a checkpoint, and those whose keys started afresh. */
  resumed: number;
  afresh: number;
  /** The longest checkpoint read of one partition, as the engine logged it, ms. */
  longestCheckpointReadMs: number;
}

/** A resumed partition's log line: `input partition 3 resumes at offset 9 (checkpoint read in 4 ms)`. */
const RESUMED = /input partition \d+ resumes at offset \d+ \(checkpoint read in (\d+) ms\)/;
/** A partition without a checkpoint within the deadline (its keys start afresh). */
const AFRESH = /input partition \d+: no checkpoint at offset/;

/** Runs the pipeline with one engine process killed mid-stream and replaced (module doc). */
export function timeRestore(options: EnginesRunOptions): Promise<RestoreRun> {
  if (options.engines !== 1) {
    throw new RangeError(
      `engines of a restore run must be 1: current value is ${options.engines}`,
    );
  }
  return inDeployment(options, async (config, start) => {
    const partitions = config.topics.input.partitions;
    await start("factory").running;
    const first = start("engine");
    await first.running;
    await stableGroup(options.brokers, `${config.kafka.clientId}.engine`, 1);
    const third = Math.ceil(options.forecasts / 3);
    const output = await watchOutput(config, options.forecasts, third);
    start("replayer", [`--input=${options.input}`, "--exit-at-end"]);
    await output.reached;
    const killed = performance.now();
    first.kill();
    const second = start("engine");
    let resumed = 0;
    let afresh = 0;
    let longestCheckpointReadMs = 0;
    const back = Promise.withResolvers<number>();
    second.onLine((line) => {
      const read = line.match(RESUMED);
      if (read !== null) {
        resumed++;
        longestCheckpointReadMs = Math.max(longestCheckpointReadMs, Number(read[1]));
      } else if (AFRESH.test(line)) afresh++;
      if (resumed + afresh === partitions) back.resolve(performance.now());
    });
    await second.running;
    const processStartSeconds = (performance.now() - killed) / 1000;
    const timer = setTimeout(
      () =>
        back.reject(
          new Error(`the new engine resumed ${resumed + afresh} of ${partitions} partitions`),
        ),
      START_TIMEOUT_MS,
    );
    const resumedAt = await back.promise.finally(() => clearTimeout(timer));
    await output.drained;
    return {
      restoreSeconds: (resumedAt - killed) / 1000,
      processStartSeconds,
      resumed,
      afresh,
      longestCheckpointReadMs,
    };
  });
}

/** Runs the pipeline with `engines` engine processes (see the module doc). */
export function timeEngines(options: EnginesRunOptions): Promise<EnginesRun> {
  return inDeployment(options, async (config, start) => {
    await start("factory").running;
    await Promise.all(Array.from({ length: options.engines }, () => start("engine").running));
    await stableGroup(options.brokers, `${config.kafka.clientId}.engine`, options.engines);
    const output = await watchOutput(config, options.forecasts);
    const started = performance.now();
    start("replayer", [`--input=${options.input}`, "--exit-at-end"]);
    const { first, last } = await output.drained;
    const seconds = (last - started) / 1000;
    const events = (await Deno.readTextFile(options.input)).trimEnd().split("\n").length;
    return {
      engines: options.engines,
      seconds,
      eventsPerSecond: events / seconds,
      steadyEventsPerSecond: events / ((last - first) / 1000),
    };
  });
}

/**
 * Runs `body` on a deployment of its own (configuration, topics, storage), handing it a way to
 * start role processes; stops them all and deletes the topics afterwards. A failure carries the
 * end of each process's output.
 */
async function inDeployment<T>(
  options: EnginesRunOptions,
  body: (
    config: RetuneConfig,
    start: (role: ServiceRole, args?: string[]) => RoleProcess,
  ) => Promise<T>,
): Promise<T> {
  const { config, file } = await writeConfig(options, nanoid(8));
  const admin = kafkaClient(config).admin();
  await admin.connect();
  await createTopics(admin, topicSpecs(config));
  const processes: RoleProcess[] = [];
  const start = (role: ServiceRole, args: string[] = []) => {
    const profile = role === "engine" && options.profileDir !== undefined
      ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}/engines-${options.engines}`]
      : [];
    const process = new RoleProcess(role, file, args, profile);
    processes.push(process);
    return process;
  };
  try {
    return await body(config, start);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n${processes.map((p) => p.tail()).join("\n")}`,
    );
  } finally {
    await Promise.all(processes.map((process) => process.stop()));
    await deleteTopics(admin, topicSpecs(config)).catch(() => {});
    await admin.disconnect();
  }
}

/** The run's configuration file: the base on Kafka and etcd, with topics and storage its own. */
async function writeConfig(
  options: EnginesRunOptions,
  id: string,
): Promise<{ config: RetuneConfig; file: string }> {
  const { base } = options;
  const prefix = `bench.engines.${id}`;
  const settings = {
    ...base,
    transport: "kafka",
    kafka: { ...base.kafka, brokers: options.brokers, clientId: prefix },
    etcd: { endpoints: options.etcdEndpoints, namespace: prefix },
    topics: Object.fromEntries(
      Object.entries(base.topics).map(([purpose, topic]) => [
        purpose,
        { ...topic, name: `${prefix}.${purpose}` },
      ]),
    ),
    storage: { dir: `${options.dir}/${id}` },
    engine: { ...base.engine, ...options.engine },
    // A factory process has no --input to train on: the file is named here.
    model: {
      ...base.model,
      initialTraining: { ...base.model.initialTraining, file: options.input },
    },
    // Info: a role process counts as running once it logged so.
    logging: { ...base.logging, level: "info" },
  };
  const file = `${options.dir}/${id}.yaml`;
  await Deno.writeTextFile(file, stringify(JSON.parse(JSON.stringify(settings))));
  return { config: await loadConfig(file), file };
}

/** Waits until the group is stable with `members` members. */
async function stableGroup(brokers: string[], group: string, members: number): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const { groups } = await admin.describeGroups([group]);
      if (groups[0]?.state === "Stable" && groups[0].members.length === members) return;
      if (Date.now() > deadline) {
        throw new Error(`group ${group} not stable with ${members} members: ${groups[0]?.state}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Counts the output's forecasts; `drained` resolves with when the first and last arrived,
 * `reached` once `mark` forecasts were read.
 */
async function watchOutput(
  config: RetuneConfig,
  expected: number,
  mark = expected,
): Promise<{ drained: Promise<{ first: number; last: number }>; reached: Promise<void> }> {
  const transport = new KafkaTransport({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-watch`,
  });
  let count = 0;
  let first = 0;
  const done = Promise.withResolvers<{ first: number; last: number }>();
  const marked = Promise.withResolvers<void>();
  done.promise.catch(marked.reject);
  await transport.subscribe({
    group: `watch.${nanoid(8)}`,
    topics: [config.topics.output.name],
    maxBatch: 5_000,
    handler: (records) => {
      for (const record of records) {
        count += decodeData("ForecastBatch", record.value).forecasts.length;
      }
      const now = performance.now();
      if (first === 0 && count > 0) first = now;
      if (count >= mark) marked.resolve();
      if (count >= expected) done.resolve({ first, last: now });
      return Promise.resolve();
    },
  });
  const timer = setTimeout(
    () => done.reject(new Error(`output has ${count} of ${expected} forecasts`)),
    RUN_TIMEOUT_MS,
  );
  const drained = done.promise.finally(async () => {
    clearTimeout(timer);
    await transport.close();
  });
  drained.catch(() => {});
  return { drained, reached: marked.promise };
}

/** A role in an OS process of its own; `running` once main.ts logged that the role runs. */
class RoleProcess {
  readonly running: Promise<void>;
  readonly #child: Deno.ChildProcess;
  readonly #ended: Promise<unknown>;
  #output = "";
  /** The unfinished last line of each stream, and who hears each finished line. */
  readonly #partial = { stdout: "", stderr: "" };
  readonly #listeners: ((line: string) => void)[] = [];

  constructor(role: ServiceRole, configFile: string, args: string[], denoFlags: string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      // Any free HTTP port: the processes of one run share the host.
      args: [
        "run",
        "-A",
        ...denoFlags,
        MAIN,
        `--role=${role}`,
        `--config=${configFile}`,
        "--http-port=0",
        ...args,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const started = Promise.withResolvers<void>();
    this.running = started.promise;
    const ready = new RegExp(`retune\\.${role}: running `);
    const read = (stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr") =>
      stream.pipeThrough(new TextDecoderStream()).pipeTo(
        new WritableStream({
          write: (text) => {
            // Only the start and the end are ever shown.
            this.#output = (this.#output + text).slice(-20_000);
            if (ready.test(this.#output)) started.resolve();
            const lines = (this.#partial[name] + text).split("\n");
            this.#partial[name] = lines.pop()!;
            for (const line of lines) for (const listener of this.#listeners) listener(line);
          },
        }),
      );
    this.#ended = Promise.all([
      this.#child.status,
      read(this.#child.stdout, "stdout"),
      read(this.#child.stderr, "stderr"),
    ])
      .then(([status]) =>
        started.reject(new Error(`${role} ended (code ${status.code}) before it ran`))
      );
    this.running.catch(() => {});
    const timer = setTimeout(
      () => started.reject(new Error(`${role} not running after ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    this.running.finally(() => clearTimeout(timer)).catch(() => {});
  }

  /** The end of what the process wrote. */
  tail(): string {
    return this.#output.split("\n").slice(-15).join("\n");
  }

  /** Calls `listener` with each whole line the process writes from now on. */
  onLine(listener: (line: string) => void): void {
    this.#listeners.push(listener);
  }

  /** SIGKILL now, as kill -9 does: no shutdown of any kind. */
  kill(): void {
    this.#child.kill("SIGKILL");
  }

  /** SIGTERM, then SIGKILL after 20 s; resolves once the process ended. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already ended.
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Ended meanwhile.
      }
    }, 20_000);
    await this.#ended.catch(() => {});
    clearTimeout(timer);
  }
}
