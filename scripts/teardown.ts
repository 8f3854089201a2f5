/**
 * `deno task teardown --config=<file> [--topics] [--force]`: removes what a deployment leaves
 * behind once it is no longer wanted: its buckets, its registry keys (dataset ledger, model
 * catalog) and, with `--topics`, its Kafka topics. Roles never do this themselves: a role that
 * stops or restarts keeps every bucket, because live dataset versions may reference them.
 *
 * It refuses while a role of the deployment leads (the deployment is running) unless `--force`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Etcd3 } from "etcd3";
import { loadConfig } from "../config/load.ts";
import { etcdSecurity } from "../config/client_security.ts";
import type { RetuneConfig } from "../config/schema.ts";
import { EtcdRegistry } from "../registry/etcd.ts";
import { NamespacedRegistry } from "../registry/namespaced.ts";
import { openStores } from "../storage/storage_spec.ts";
import { storageSpecOf } from "../actors/environment.ts";
import { electionOf, LEADER_ROLES } from "../actors/leadership.ts";
import { deleteTopics, kafkaClient, topicSpecs } from "./topics.ts";

/** What to tear down beyond buckets and registry keys, and whether a running deployment may be. */
export interface TeardownOptions {
  /** Also delete the deployment's Kafka topics. */
  topics: boolean;
  /** Tear down even while a role leads. */
  force: boolean;
}

/** What a teardown removed. */
export interface TeardownReport {
  buckets: number;
  registryKeys: number;
  /** Topics deleted (empty without `--topics`). */
  topics: string[];
}

/** A role of the deployment leads: it is running, and its buckets are in use. */
export class DeploymentRunningError extends Error {
  override readonly name = "DeploymentRunningError";
  /** The leading roles and their candidates. */
  readonly leaders: { role: string; candidate: string }[];

  /** Names the leaders. */
  constructor(leaders: { role: string; candidate: string }[]) {
    super(
      `refusing to tear down a running deployment: ${
        leaders.map(({ role, candidate }) => `${role} is led by ${candidate}`).join(", ")
      }; stop its roles first, or pass --force`,
    );
    this.leaders = leaders;
  }
}

/** The leading roles of the configuration's deployment (none without etcd: nothing to ask). */
export async function leadersOf(
  config: RetuneConfig,
): Promise<{ role: string; candidate: string }[]> {
  if (config.etcd === undefined) return [];
  const { auth, credentials } = etcdSecurity(config.etcd);
  const client = new Etcd3({ hosts: config.etcd.endpoints, auth, credentials });
  try {
    const leaders = [];
    // A fleet's process leads each role for every model (`actors/fleet/role_leadership.ts`).
    for (const role of LEADER_ROLES) {
      for (const name of [role, `fleet/${role}`]) {
        const election = `${config.etcd.namespace}/${electionOf(name)}`;
        const candidate = await client.election(election).leader();
        if (candidate !== undefined) leaders.push({ role, candidate });
      }
    }
    return leaders;
  } finally {
    client.close();
  }
}

/** Deletes the deployment's buckets, registry keys and (with `topics`) topics. */
export async function teardown(
  config: RetuneConfig,
  options: TeardownOptions,
): Promise<TeardownReport> {
  const leaders = await leadersOf(config);
  if (leaders.length > 0 && !options.force) throw new DeploymentRunningError(leaders);

  const { buckets } = await openStores(storageSpecOf(config));
  const bucketCount = (await buckets.list()).length;
  await buckets.deleteAll();

  let registryKeys = 0;
  if (config.etcd !== undefined) {
    const registry = new NamespacedRegistry(
      new EtcdRegistry({ endpoints: config.etcd.endpoints, ...etcdSecurity(config.etcd) }),
      config.etcd.namespace,
    );
    try {
      const keys = (await registry.list("")).map((entry) => entry.key);
      if (keys.length > 0) await registry.commit({ deletes: keys });
      registryKeys = keys.length;
    } finally {
      await registry.close();
    }
  }

  const topics: string[] = [];
  if (options.topics) {
    const admin = kafkaClient(config).admin();
    await admin.connect();
    try {
      const outcomes = await deleteTopics(admin, topicSpecs(config));
      topics.push(...outcomes.filter((o) => o.status === "deleted").map((o) => o.spec.name));
    } finally {
      await admin.disconnect();
    }
  }
  return { buckets: bucketCount, registryKeys, topics };
}

const USAGE = "usage: deno task teardown --config=<file> [--topics] [--force]";
const HELP = `Usage: deno task teardown --config=<file> [--topics] [--force]

Deletes what a deployment leaves behind: its buckets, its registry keys (dataset ledger, model
catalogue) and, with --topics, its Kafka topics. Refuses while a role of the deployment leads.

Options:
  --config=<file>  the deployment's YAML configuration (required)
  --topics         delete its Kafka topics too
  --force          go ahead even while a role leads
  -h, --help       show this text`;

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string" },
        topics: { type: "boolean" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.config === undefined) {
    console.error(`--config is required\n${USAGE}`);
    return 2;
  }
  const config = await loadConfig(values.config);
  try {
    const report = await teardown(config, {
      topics: values.topics ?? false,
      force: values.force ?? false,
    });
    console.log(
      `deleted ${report.buckets} buckets, ${report.registryKeys} registry keys` +
        (values.topics ? `, ${report.topics.length} topics` : ""),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof DeploymentRunningError)) throw error;
    console.error(`teardown: ${error.message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
