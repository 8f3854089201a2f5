/**
 * `deno task topics create|delete|list --config=<file>`: manages the Kafka topics a configuration
 * names, and only those.
 * - create is idempotent: missing topics are created, existing ones with the configured layout are
 *   fine, existing ones with another layout are reported (exit status 1);
 * - delete removes the configured topics that exist and touches nothing else;
 * - list shows each configured topic, its layout and whether it exists.
 *
 * @module
 */

import { type Admin, Kafka, logLevel } from "kafkajs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { kafkaSecurity } from "../config/client_security.ts";
import type { RetuneConfig, TopicPurpose } from "../config/schema.ts";

/** A topic the configuration names. */
export interface TopicSpec {
  purpose: TopicPurpose;
  name: string;
  partitions: number;
  replication: number;
}

/** A topic's layout on the broker. */
export interface TopicLayout {
  partitions: number;
  replication: number;
}

/** What `createTopics` did with one topic. */
export type CreateOutcome =
  | { spec: TopicSpec; status: "created" | "exists" }
  | { spec: TopicSpec; status: "differs"; actual: TopicLayout };

/** What `deleteTopics` did with one topic. */
export interface DeleteOutcome {
  spec: TopicSpec;
  status: "deleted" | "absent";
}

/** One line of `listTopics`: the configured topic and its layout on the broker, if it exists. */
export interface TopicListing {
  spec: TopicSpec;
  actual: TopicLayout | null;
}

/** Every topic of a configuration, by purpose. */
export function topicSpecs(config: RetuneConfig): TopicSpec[] {
  return (Object.entries(config.topics) as [TopicPurpose, RetuneConfig["topics"][TopicPurpose]][])
    .map(([purpose, topic]) => ({ purpose, ...topic }));
}

/** Creates the missing topics; existing ones are checked against their configured layout. */
export async function createTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<CreateOutcome[]> {
  const existing = await layouts(admin, specs);
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({
      // kafkajs gives up waiting after its client's few retries, which a loaded broker outlasts:
      // `awaitLeaders` waits with a deadline of its own.
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replication,
        // The changelog keeps each input partition's newest checkpoint, as Kafka Streams' do.
        configEntries: spec.purpose === "engineChangelog"
          ? [{ name: "cleanup.policy", value: "compact" }]
          : undefined,
      })),
    });
    await awaitLeaders(admin, missing);
  }
  return specs.map((spec): CreateOutcome => {
    const actual = existing.get(spec.name);
    if (actual === undefined) return { spec, status: "created" };
    const same = actual.partitions === spec.partitions && actual.replication === spec.replication;
    return same ? { spec, status: "exists" } : { spec, status: "differs", actual };
  });
}

/** Longest `createTopics` waits for new topics' partitions to have leaders, ms. */
export const LEADERS_DEADLINE_MS = 60_000;

/**
 * Resolves once every partition of `specs` has a leader; throws, saying which topics and why, when
 * they have none after `deadlineMs`, and at once on an error the broker gives as not retriable.
 */
export async function awaitLeaders(
  admin: Admin,
  specs: readonly TopicSpec[],
  deadlineMs = LEADERS_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    let waiting: string;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
      const ready = new Set(
        topics.filter((topic) =>
          topic.partitions.length > 0 &&
          topic.partitions.every((p) => p.leader >= 0 && p.partitionErrorCode === 0)
        ).map((topic) => topic.name),
      );
      const leaderless = specs.filter((spec) => !ready.has(spec.name)).map((spec) => spec.name);
      if (leaderless.length === 0) return;
      waiting = `no partition leader yet for ${leaderless.join(", ")}`;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true) throw error;
      waiting = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `topics ${specs.map((s) => s.name).join(", ")} created but without partition ` +
          `leaders after ${deadlineMs} ms (${waiting}): ` +
          `check that the broker's controller is up (its log), then run the command again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Deletes the configured topics that exist; no other topic is touched. */
export async function deleteTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<DeleteOutcome[]> {
  const existing = new Set(await admin.listTopics());
  const present = specs.filter((spec) => existing.has(spec.name));
  if (present.length > 0) await admin.deleteTopics({ topics: present.map((spec) => spec.name) });
  return specs.map((spec) => ({ spec, status: existing.has(spec.name) ? "deleted" : "absent" }));
}

/** The configured topics with their layout on the broker (null when missing). */
export async function listTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<TopicListing[]> {
  const existing = await layouts(admin, specs);
  return specs.map((spec) => ({ spec, actual: existing.get(spec.name) ?? null }));
}

/** Layouts of those of `specs` that exist, by name. */
async function layouts(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<Map<string, TopicLayout>> {
  const all = new Set(await admin.listTopics());
  const names = specs.map((spec) => spec.name).filter((name) => all.has(name));
  if (names.length === 0) return new Map();
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  return new Map(metadata.topics.map((topic) => [topic.name, {
    partitions: topic.partitions.length,
    replication: Math.max(0, ...topic.partitions.map((p) => p.replicas.length)),
  }]));
}

/** A kafkajs client for the configuration's brokers, quiet and quick to give up. */
export function kafkaClient(config: RetuneConfig): Kafka {
  const { brokers, clientId } = config.kafka;
  return new Kafka({
    brokers,
    clientId: `${clientId}-topics`,
    ...kafkaSecurity(config.kafka),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 2 },
  });
}

function layoutText(layout: TopicLayout): string {
  return `${layout.partitions} partitions, replication ${layout.replication}`;
}

function line(spec: TopicSpec, detail: string): string {
  return `${spec.name.padEnd(32)} ${spec.purpose.padEnd(18)} ${detail}`;
}

const COMMANDS = ["create", "delete", "list"] as const;
const USAGE = "usage: deno task topics create|delete|list --config=<file>";
const HELP = `Usage: deno task topics create|delete|list --config=<file>

Manages the Kafka topics a configuration names, and only those:
  create   creates the missing ones; existing ones with another layout are reported (exit 1)
  delete   deletes the configured topics that exist
  list     shows each configured topic, its layout and whether it exists

Options:
  --config=<file>  YAML configuration naming the brokers and topics (required)
  -h, --help       show this text

RETUNE_KAFKA_BROKERS / KAFKA_BROKERS (comma separated) replace the configured brokers.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const command = positionals[0];
  if (positionals.length !== 1 || !(COMMANDS as readonly string[]).includes(command)) {
    console.error(USAGE);
    return 2;
  }
  if (values.config === undefined) {
    console.error(`--config is required\n${USAGE}`);
    return 2;
  }
  const config = await loadConfig(values.config);
  const specs = topicSpecs(config);
  const admin = kafkaClient(config).admin();
  await admin.connect();
  try {
    switch (command) {
      case "create": {
        const outcomes = await createTopics(admin, specs);
        for (const o of outcomes) {
          const wanted = layoutText(o.spec);
          console.log(line(
            o.spec,
            o.status === "differs"
              ? `DIFFERS: exists with ${layoutText(o.actual)}, configured ${wanted}`
              : `${o.status} (${wanted})`,
          ));
        }
        const created = outcomes.filter((o) => o.status === "created").length;
        const differing = outcomes.filter((o) => o.status === "differs").length;
        console.log(
          `${created} created, ${outcomes.length - created - differing} already existed` +
            (differing > 0 ? `, ${differing} differ from the configuration` : ""),
        );
        return differing > 0 ? 1 : 0;
      }
      case "delete": {
        const outcomes = await deleteTopics(admin, specs);
        for (const o of outcomes) console.log(line(o.spec, o.status));
        console.log(`${outcomes.filter((o) => o.status === "deleted").length} deleted`);
        return 0;
      }
      default: {
        for (const { spec, actual } of await listTopics(admin, specs)) {
          console.log(
            line(
              spec,
              actual === null ? `missing (configured ${layoutText(spec)})` : layoutText(actual),
            ),
          );
        }
        return 0;
      }
    }
  } finally {
    await admin.disconnect();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
