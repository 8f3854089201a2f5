/**
 * Gives one experiment run a deployment of its own, so the two runs of an experiment (or two
 * experiments on one cluster) never see each other's messages or registry entries: every topic
 * name gets the run's tag, and so do the Kafka client id and the etcd namespace. Over Kafka the
 * run's topics are created before it and deleted after it; with etcd its namespace is cleared
 * after it. In-process transports and registries belong to their run anyway.
 *
 * @module
 */

import type { RetuneConfig } from "../../config/schema.ts";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { NamespacedRegistry } from "../../registry/namespaced.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../topics.ts";

/** Runs `run` with the configuration turned into the run's own deployment, then clears it. */
export async function withOwnDeployment<T>(
  config: RetuneConfig,
  tag: string,
  run: (config: RetuneConfig) => Promise<T>,
): Promise<T> {
  if (!/^[A-Za-z0-9._-]+$/.test(tag)) {
    throw new RangeError(
      `tag must be letters, digits, '.', '_' or '-' (valid in a topic name): current value is '${tag}'`,
    );
  }
  const own = taggedConfig(config, tag);
  const admin = own.transport === "kafka" ? kafkaClient(own).admin() : null;
  await admin?.connect();
  try {
    if (admin !== null) await createTopics(admin, topicSpecs(own));
    return await run(own);
  } finally {
    if (admin !== null) {
      await deleteTopics(admin, topicSpecs(own)).finally(() => admin.disconnect());
    }
    if (own.etcd !== undefined) await clearNamespace(own.etcd);
  }
}

/** The configuration with `tag` appended to every topic name, the client id and the namespace. */
function taggedConfig(config: RetuneConfig, tag: string): RetuneConfig {
  const topics = Object.fromEntries(
    Object.entries(config.topics).map(([purpose, topic]) => [
      purpose,
      { ...topic, name: `${topic.name}.${tag}` },
    ]),
  ) as RetuneConfig["topics"];
  return {
    ...config,
    topics,
    kafka: { ...config.kafka, clientId: `${config.kafka.clientId}.${tag}` },
    etcd: config.etcd === undefined
      ? undefined
      : { ...config.etcd, namespace: `${config.etcd.namespace}.${tag}` },
  };
}

/** Deletes every key a run left in its etcd namespace (model and dataset versions). */
async function clearNamespace(etcd: NonNullable<RetuneConfig["etcd"]>): Promise<void> {
  const registry = new NamespacedRegistry(
    new EtcdRegistry({ endpoints: etcd.endpoints }),
    etcd.namespace,
  );
  try {
    const keys = (await registry.list("")).map((entry) => entry.key);
    if (keys.length > 0) await registry.commit({ deletes: keys });
  } finally {
    await registry.close();
  }
}
