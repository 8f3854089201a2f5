/**
 * A chaos run's deployment: a folder with the drifting stream, the configuration of the fleet
 * (Kafka + etcd, topics and etcd namespace of its own) and of the fault-free run (the same
 * settings, in one process), and the fleet's topics created up front.
 *
 * @module
 */

import { stringify } from "yaml";
import { defaultConfig, loadConfig } from "../../config/load.ts";
import type { KafkaConfig, RetuneConfig } from "../../config/schema.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../topics.ts";
import { DEFAULT_REGIME_ORDER, driftStream, REGIMES, toCsvRow } from "../drift_stream.ts";

const DEMO_ABC = new URL("../../deploy/examples/demo_abc/", import.meta.url);

/** Partition keys of the stream. */
const KEYS = 16;
/** Drift points: the regime changes every tenth of the stream, so the observer keeps asking. */
const DRIFT_AT = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The files and configuration of a run. */
export interface Deployment {
  dir: string;
  stream: string;
  configFile: string;
  config: RetuneConfig;
  faultFreeConfigFile: string;
  /** Deletes the topics and, unless kept, the folder. */
  dispose(keep: boolean): Promise<void>;
}

/** Writes the stream and both configurations into a new folder. */
export async function prepareDeployment(options: {
  events: number;
  seed: number;
  ratePerSecond: number;
  brokers: string[];
  etcdEndpoints: string[];
  /** The roles' Kafka client; null: the configuration's default. */
  client: KafkaConfig["client"] | null;
}): Promise<Deployment> {
  const dir = await Deno.makeTempDir({ prefix: "retune-chaos-" });
  const stream = `${dir}/stream.csv`;
  await writeStream(stream, options.events, options.seed);
  const name = `chaos-${options.seed}-${Date.now().toString(36)}`;
  const shared = settings(stream);
  const configFile = `${dir}/fleet.yaml`;
  await Deno.writeTextFile(
    configFile,
    stringify({
      ...shared,
      transport: "kafka",
      kafka: {
        brokers: options.brokers,
        clientId: name,
        ...(options.client === null ? {} : { client: options.client }),
      },
      etcd: { endpoints: options.etcdEndpoints, namespace: name },
      topics: Object.fromEntries(
        Object.entries(defaultConfig().topics).map(([purpose, topic]) => [
          purpose,
          { ...topic, name: `${name}.${topic.name}` },
        ]),
      ),
      storage: { dir: `${dir}/storage` },
      replayer: { rate: { kind: "events_per_second", value: options.ratePerSecond } },
    }),
  );
  const faultFreeConfigFile = `${dir}/fault_free.yaml`;
  await Deno.writeTextFile(
    faultFreeConfigFile,
    stringify({ ...shared, transport: "in-process", storage: { dir: `${dir}/fault_free` } }),
  );
  const config = await loadConfig(configFile);
  const admin = kafkaClient(config).admin();
  await admin.connect();
  try {
    await createTopics(admin, topicSpecs(config));
  } finally {
    await admin.disconnect();
  }
  return {
    dir,
    stream,
    configFile,
    config,
    faultFreeConfigFile,
    async dispose(keep) {
      const admin = kafkaClient(config).admin();
      await admin.connect();
      try {
        await deleteTopics(admin, topicSpecs(config));
      } finally {
        await admin.disconnect();
      }
      if (!keep) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The settings both runs share: the drift example's, on bigger buckets and datasets. */
function settings(stream: string): Record<string, unknown> {
  return {
    // Info: the harness reads main.ts's "running <role>" line from each process.
    logging: { level: "info", format: "text" },
    model: {
      kind: "cef-pst",
      pattern: new URL("abc.pattern", DEMO_ABC).pathname,
      source: {
        domain: "csv",
        mapping: {
          columns: ["type", "timestamp", "key"],
          key: "key",
          timestamp: { field: "timestamp", unit: "ms" },
          type: "type",
        },
      },
      initialParams: { order: 2, threshold: 0.5, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
      initialTraining: { file: stream, events: 5_000 },
      forecast: { horizon: 20, maxSpread: 20 },
    },
    // Exactly once, so the fleet's committed output must equal the fault-free run's.
    engine: { report: { everyEvents: 4_000 }, delivery: "exactly_once" },
    // Buckets of a few thousand events make assemblies last long enough to be seen and hit.
    collector: { bucket: { byEvents: 4_000 }, keep: 8, policy: { kind: "last_k", k: 6 } },
    observer: {
      policy: { kind: "trend", k: 3, slopeThreshold: -0.025, guard: 4, minScore: 0.2 },
    },
    optimiser: { initialPoints: 5, evaluations: 12, reuse: 2 },
    factory: { evaluation: { kind: "walk_forward", folds: 3 } },
  };
}

/** Writes the seeded drifting stream as CSV rows `type,timestamp,key`. */
async function writeStream(path: string, events: number, seed: number): Promise<void> {
  const regimes = DRIFT_AT.concat(1).map((_, i) =>
    REGIMES[DEFAULT_REGIME_ORDER[i % DEFAULT_REGIME_ORDER.length]]
  );
  const rows: string[] = [];
  for (const { event } of driftStream({ events, keys: KEYS, seed, driftAt: DRIFT_AT, regimes })) {
    rows.push(toCsvRow(event));
  }
  await Deno.writeTextFile(path, rows.join("\n") + "\n");
}
