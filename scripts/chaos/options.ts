/**
 * The chaos command line: `deno task chaos [--short] [--minutes=N] [--seed=N] [--json=FILE]
 * [--keep]`, and what it implies (events, replay rate, faults).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { KAFKA_CLIENTS, type KafkaConfig } from "../../config/schema.ts";

/** What a chaos run does. */
export interface ChaosOptions {
  short: boolean;
  /** Length of the fault window (the replay is paced to fill it), minutes. */
  minutes: number;
  seed: number;
  /** Where to write the JSON report, if anywhere. */
  json: string | null;
  /** Keep the run's folder (stream, configuration, logs, storage). */
  keep: boolean;
  /** The roles' Kafka client (`kafka.client`); null: the configuration's default. */
  client: KafkaConfig["client"] | null;
  /** Events replayed. */
  events: number;
  /** Kills of random roles beyond the six phase kills. */
  randomKills: number;
}

/** Events of a full run (the floor) and of a short one. */
export const FULL_EVENTS = 300_000;
export const SHORT_EVENTS = 80_000;
/** Fault window of a full and of a short run, minutes. */
export const FULL_MINUTES = 5;
export const SHORT_MINUTES = 2;

/** The usage text. */
export function chaosUsage(): string {
  return `Usage: deno task chaos [--short] [--minutes=N] [--seed=N] [--json=FILE] [--keep]
                       [--client=${KAFKA_CLIENTS.join("|")}]

Starts Kafka, etcd and every role as its own process (two collectors, factories and
optimisers), replays a drifting stream while injecting kill -9 of roles, an etcd restart and a
20 s broker pause, then checks what came out and prints a table. Exits 1 if a check fails.

  --short      ${SHORT_MINUTES}-minute fault window, ${SHORT_EVENTS} events (about 4 minutes in all)
  --minutes=N  fault window in minutes (default ${FULL_MINUTES}; ${SHORT_MINUTES} with --short)
  --seed=N     seed of the fault plan and the stream (default: random, printed)
  --json=FILE  also write the report as one JSON object
  --keep       keep the run's folder (logs, configuration, storage)
  --client=C   the roles' Kafka client, ${KAFKA_CLIENTS.join(" or ")} (default: kafka.client's)`;
}

/** Parses the arguments; null when help was asked for. */
export function parseChaosArgs(args: readonly string[], randomSeed: number): ChaosOptions | null {
  const { values } = parseArgs({
    args: [...args],
    options: {
      short: { type: "boolean", default: false },
      minutes: { type: "string" },
      seed: { type: "string" },
      json: { type: "string" },
      keep: { type: "boolean", default: false },
      client: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  const short = values.short;
  const minutes = values.minutes === undefined
    ? (short ? SHORT_MINUTES : FULL_MINUTES)
    : positiveNumber("--minutes", values.minutes);
  if (short && minutes > SHORT_MINUTES) {
    throw new RangeError(
      `--minutes must be at most ${SHORT_MINUTES} with --short: current value is ${minutes}`,
    );
  }
  if (!short && minutes < FULL_MINUTES) {
    throw new RangeError(
      `--minutes must be at least ${FULL_MINUTES} (use --short for less): current value is ${minutes}`,
    );
  }
  const seed = values.seed === undefined ? randomSeed : Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`--seed must be an integer: current value is ${values.seed}`);
  }
  const client = values.client === undefined ? null : kafkaClient(values.client);
  if (values.json === "") throw new RangeError(`--json must name a file: current value is ""`);
  return {
    short,
    minutes,
    seed,
    json: values.json ?? null,
    keep: values.keep,
    client,
    events: short ? SHORT_EVENTS : Math.max(FULL_EVENTS, Math.round(minutes * 60_000)),
    randomKills: short ? 2 : Math.round(minutes * 1.2),
  };
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive number: current value is ${text}`);
  }
  return value;
}

function kafkaClient(text: string): KafkaConfig["client"] {
  const client = KAFKA_CLIENTS.find((name) => name === text);
  if (client === undefined) {
    throw new RangeError(
      `--client must be one of ${KAFKA_CLIENTS.join(", ")}: current value is ${text}`,
    );
  }
  return client;
}
