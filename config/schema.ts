/**
 * The shape of a Retune configuration file, validated with zod. Every section and key has a
 * default (the reference system's where it had one, see `reference-system.md`) except
 * `model.pattern` and `model.source`, which say what to forecast. Objects are strict: an unknown
 * key, such as a typo, is an error rather than a silently ignored setting. Every duration key ends
 * in `Ms`; every error message states the expected form of the value, so `ConfigError` can report
 * "expected an integer >= 1, got ...".
 *
 * @module
 */

import { cronProblem } from "../policies/retrain/retrain_schedule.ts";
import { z } from "zod";
import { deepMerge, INHERITED_BLOCKS, SHARED_MODEL_KEYS } from "./model_inheritance.ts";

/** A week in milliseconds: the reference system's report and bucket period. */
const WEEK_MS = 604_800_000;

// ---- value helpers: each names its expected form, which the error message repeats ----

function integer(min: number, max?: number) {
  const form = max === undefined ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  const base = z.int({ error: form }).min(min, { error: form });
  return max === undefined ? base : base.max(max, { error: form });
}

function numberIn(min: number, max: number, bounds: "[]" | "()" | "[)" | "(]" = "[]") {
  const form = `a number in ${bounds[0]}${min}, ${max}${bounds[1]}`;
  const base = z.number({ error: form });
  const lower = bounds[0] === "[" ? base.gte(min, { error: form }) : base.gt(min, { error: form });
  return bounds[1] === "]" ? lower.lte(max, { error: form }) : lower.lt(max, { error: form });
}

function positive() {
  const form = "a positive number";
  return z.number({ error: form }).positive({ error: form }).finite({ error: form });
}

function nonNegative() {
  const form = "a number >= 0";
  return z.number({ error: form }).nonnegative({ error: form }).finite({ error: form });
}

function text() {
  const form = "a non-empty string";
  return z.string({ error: form }).min(1, { error: form });
}

/** A file or folder path; relative paths are resolved by `loadConfig`. */
function filePath() {
  const form = "a file path";
  return z.string({ error: form }).min(1, { error: form });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });
}

function nonEmptyList<T extends z.ZodType>(item: T, form: string) {
  return z.array(item, { error: `a list of ${form}` }).min(1, {
    error: `a non-empty list of ${form}`,
  });
}

/** Error for a discriminated union on `kind`: a mapping whose kind is one of `kinds`. */
function kindError(kinds: readonly string[]) {
  const choices = kinds.map((k) => JSON.stringify(k)).join(", ");
  return (issue: { code: string }) =>
    issue.code === "invalid_type" ? `a mapping with kind one of ${choices}` : `one of ${choices}`;
}

// ---- sections ----

/** Kafka broker address `host:port`. */
export const brokerAddress = z.string({ error: 'a "host:port" address' }).regex(
  /^[^\s:,/]+:\d{1,5}$/,
  { error: 'a "host:port" address' },
);

/** etcd endpoint URL `http(s)://host:port`. */
export const etcdEndpoint = z.string({ error: 'an "http(s)://host:port" URL' }).regex(
  /^https?:\/\/[^\s,/]+(:\d{1,5})?\/?$/,
  { error: 'an "http(s)://host:port" URL' },
);

/**
 * A secret (a password, a user name): `${NAME}` takes it from the environment variable NAME, or,
 * when NAME is unset, from the file that NAME_FILE names (Docker and Kubernetes secrets); any other
 * string is the secret itself. `config/secrets.ts` reads it; no message ever quotes it.
 */
function secret() {
  const form = "a secret: ${NAME} (environment variable NAME or file NAME_FILE) or the value";
  return z.string({ error: form }).min(1, { error: form });
}

/** TLS files (PEM), each a path; without `ca` the system's roots are trusted. */
function tlsFiles() {
  return {
    /** Certificate authority to trust for the server's certificate. */
    ca: filePath().optional(),
    /** Client certificate (mutual TLS); needs `key`. */
    cert: filePath().optional(),
    /** The client certificate's private key. */
    key: filePath().optional(),
  };
}

/** Refuses a client certificate without its key and a key without its certificate. */
function certNeedsKey(tls: { cert?: string; key?: string }, ctx: z.core.$RefinementCtx): void {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [tls.cert === undefined ? "cert" : "key"],
      message: "missing: a client certificate needs both cert and key",
    });
  }
}

const SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;

/** The Kafka client libraries behind the transport (`kafka.client`). */
export const KAFKA_CLIENTS = ["kafkajs", "platformatic"] as const;

const kafkaSchema = z.strictObject({
  brokers: nonEmptyList(brokerAddress, '"host:port" addresses').default(["127.0.0.1:9092"]),
  /**
   * The Kafka client library behind the transport. Both pass the same contracts; platformatic is
   * the default since it is the faster and passed the chaos suite (README, "Kafka clients").
   */
  client: oneOf(KAFKA_CLIENTS).default("platformatic"),
  clientId: text().default("retune"),
  /** TLS to the brokers: `true` (trust the system's roots) or the PEM files to use. */
  ssl: z.union([
    z.boolean(),
    z.strictObject({
      ...tlsFiles(),
      rejectUnauthorized: z.boolean({ error: "true or false" }).default(true),
    }).superRefine(certNeedsKey),
  ], { error: "true, false or a mapping { ca, cert, key, rejectUnauthorized }" }).optional(),
  /** SASL authentication to the brokers. */
  sasl: z.strictObject({
    mechanism: oneOf(SASL_MECHANISMS),
    username: secret(),
    password: secret(),
  }).optional(),
  /**
   * A consumer silent this long is dropped from its group and its partitions move to the others:
   * how long a killed member's partitions wait. The broker's floor is 6,000 by default.
   */
  sessionTimeoutMs: integer(1).default(6_000),
  /** How often a consumer tells its group it lives; well under `sessionTimeoutMs`. */
  heartbeatIntervalMs: integer(1).default(1_000),
});

const etcdSchema = z.strictObject({
  endpoints: nonEmptyList(etcdEndpoint, '"http(s)://host:port" URLs'),
  /** Key prefix of this deployment, so deployments sharing an etcd stay apart. */
  namespace: z.string({ error: "a namespace" }).regex(/^[A-Za-z0-9._-]+$/, {
    error: "a namespace (A-Z a-z 0-9 . _ -)",
  }).default("retune"),
  /** Lease of an election candidate, s: a dead leader is replaced within this + about 2 s. */
  leaseTtlSeconds: integer(1).default(10),
  /** Deadline of one etcd call, ms: nothing waits on etcd longer than attempts x this. */
  callTimeoutMs: integer(1).default(5_000),
  /** Attempts of an etcd call that failed because etcd could not be reached. */
  callAttempts: integer(1).default(3),
  /** User name and password, when etcd has authentication enabled. */
  auth: z.strictObject({ username: secret(), password: secret() }).optional(),
  /** TLS to etcd (`https://` endpoints): the PEM files to use. */
  tls: z.strictObject(tlsFiles()).superRefine(certNeedsKey).optional(),
}).superRefine((etcd, ctx) => {
  const plain = etcd.endpoints.findIndex((url) => url.startsWith("http://"));
  if (etcd.tls !== undefined && plain >= 0) {
    ctx.addIssue({
      code: "custom",
      path: ["endpoints", plain],
      message: `expected an https:// URL when etcd.tls is set, got "${etcd.endpoints[plain]}"`,
    });
  }
});

/**
 * A Confluent-compatible schema registry (Confluent, Apicurio's `/apis/ccompat/v6`, Karapace):
 * with it, Kafka records are framed as magic byte, schema id and Avro, and each topic's schema is
 * registered under `<topic>-value` at start.
 */
const schemaRegistrySchema = z.strictObject({
  /** The API's base URL, e.g. `http://127.0.0.1:8081` or `http://host:8080/apis/ccompat/v6`. */
  url: z.string({ error: 'an "http(s)://host:port[/path]" URL' }).regex(
    /^https?:\/\/[^\s/,]+(\/\S*)?$/,
    { error: 'an "http(s)://host:port[/path]" URL' },
  ),
  /**
   * The level set on each subject. Each keeps readers able to read every older record, which
   * readers on newer schemas rely on.
   */
  compatibility: oneOf(["BACKWARD", "BACKWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"]).default(
    "BACKWARD",
  ),
  /** Deadline of one registry call, ms. */
  callTimeoutMs: integer(1).default(10_000),
});

/** Kafka's legal topic name characters. */
const topicName = z.string({ error: "a topic name" }).regex(/^[A-Za-z0-9._-]{1,249}$/, {
  error: "a topic name (1-249 of A-Z a-z 0-9 . _ -)",
});

function topic(name: string, partitions: number) {
  return z.strictObject({
    name: topicName.default(name),
    partitions: integer(1).default(partitions),
    replication: integer(1).default(1),
  }).prefault({});
}

const topicsSchema = z.strictObject({
  /** Keyed by partition value; its partitions bound the engines that can share the stream. */
  input: topic("retune.input", 4),
  output: topic("retune.output", 4),
  metrics: topic("retune.metrics", 1),
  position: topic("retune.position", 1),
  deadLetters: topic("retune.dead-letters", 1),
  instructions: topic("retune.instructions", 1),
  factoryCommands: topic("retune.factory-commands", 1),
  factoryReports: topic("retune.factory-reports", 1),
  /** Candidate jobs any factory process takes (`factory.distribute`); partitions bound them. */
  factoryWork: topic("retune.factory-work", 4),
  factoryResults: topic("retune.factory-results", 1),
  modelVersions: topic("retune.model-versions", 1),
  datasetVersions: topic("retune.dataset-versions", 1),
  datasetsAssembled: topic("retune.datasets-assembled", 1),
  /**
   * The engine's per-input-partition checkpoints (run state with its input offset), compacted:
   * one partition, so a reader sees each checkpoint after every one written before it.
   */
  engineChangelog: topic("retune.engine-changelog", 1),
  /**
   * Each input partition's counts per closed window of the stream-time grid
   * (`engine.reportBy: partition`), which the observer merges into the metrics series.
   */
  windowCounts: topic("retune.window-counts", 1),
}).superRefine((topics, ctx) => {
  const seen = new Map<string, string>();
  for (const [purpose, { name }] of Object.entries(topics)) {
    const other = seen.get(name);
    if (other !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [purpose, "name"],
        message: `expected a name of its own, got "${name}", already the name of topics.${other}`,
      });
    }
    seen.set(name, purpose);
  }
});

const loggingSchema = z.strictObject({
  level: oneOf(["debug", "info", "warning", "error"]).default("info"),
  format: oneOf(["text", "json"]).default("text"),
});

/** An S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'. */
const s3BucketName = z.string({ error: "an S3 bucket name (3-63 of a-z 0-9 . -)" }).regex(
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  { error: "an S3 bucket name (3-63 of a-z 0-9 . -)" },
);

/** Where an object store keeps this deployment's buckets, datasets and models. */
const s3Schema = z.strictObject({
  /** The S3 API's URL (AWS, MinIO, SeaweedFS, ...). */
  endpoint: z.url({ protocol: /^https?$/, error: 'an "http(s)://host[:port]" URL' }),
  region: text().default("us-east-1"),
  /** An existing bucket; deployments sharing it stay apart by `prefix`. */
  bucket: s3BucketName,
  /** Key prefix of this deployment in the bucket: path segments, each followed by '/'. */
  prefix: z.string({ error: 'a key prefix ("" or segments each ending in "/")' }).regex(
    /^([A-Za-z0-9][A-Za-z0-9._-]*\/)*$/,
    { error: 'a key prefix ("" or segments each ending in "/")' },
  ).default("retune/"),
  /** Null: the SDK's default credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles). */
  accessKeyId: text().nullable().default(null),
  secretAccessKey: text().nullable().default(null),
  /** Bucket in the path (`endpoint/bucket/key`), as most self-hosted servers need. */
  forcePathStyle: z.boolean({ error: "true or false" }).default(true),
}).superRefine((s3, ctx) => {
  if ((s3.accessKeyId === null) !== (s3.secretAccessKey === null)) {
    ctx.addIssue({
      code: "custom",
      path: [s3.accessKeyId === null ? "accessKeyId" : "secretAccessKey"],
      message: "expected accessKeyId and secretAccessKey both set or both null",
    });
  }
});

const storageSchema = z.strictObject({
  /** `fs`: every store in `dir`; `s3`: buckets and artifacts in the object store `s3`. */
  kind: oneOf(["fs", "s3"]).default("fs"),
  /**
   * Buckets, datasets and model artifacts with `kind: fs`; this process's own files (Wayeb's work
   * folder, the bucket deletion log) with either kind. Relative to the working directory by default.
   */
  dir: filePath().default("./.retune"),
  /** Required with `kind: s3`. */
  s3: s3Schema.optional(),
}).superRefine((storage, ctx) => {
  if (storage.kind === "s3" && storage.s3 === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["s3"],
      message: "expected an s3 section (endpoint, bucket) with kind s3",
    });
  }
});

const SOURCE_DOMAINS = ["maritime", "csv", "jsonl", "demo_abc", "retune_jsonl"] as const;

/**
 * Where the fields of a generic CSV or JSON-lines source go: the shape of `SourceSpec` in
 * `models/sources/spec.ts` without its `format` (the domain gives it), with the same defaults.
 * Rules across fields (a CSV needs `header: true` or `columns`) are checked there.
 */
const sourceMappingSchema = z.strictObject({
  /** CSV only: the first line names the columns. */
  header: z.boolean({ error: "true or false" }).default(false),
  /** CSV only: column names in order, when there is no header line. */
  columns: nonEmptyList(text(), "column names").nullable().default(null),
  /** CSV only: the field separator. */
  delimiter: z.string({ error: "a single character" }).length(1, { error: "a single character" })
    .default(","),
  /** Field holding the partition value (e.g. a vessel's mmsi); null: one partition. */
  key: text().nullable(),
  timestamp: z.strictObject({ field: text(), unit: oneOf(["s", "ms"]) }, {
    error: "a mapping { field, unit: s | ms }",
  }),
  /** Field holding the event type; null: every event has type "". */
  type: text().nullable().default(null),
  numeric: z.array(text(), { error: "a list of field names" }).default([]),
  strings: z.array(text(), { error: "a list of field names" }).default([]),
  /** Fields the mapping does not name: dropped, or kept with their type inferred. */
  otherFields: oneOf(["drop", "infer"]).default("drop"),
});

const sourceSchema = z.strictObject({
  domain: oneOf(SOURCE_DOMAINS),
  mapping: sourceMappingSchema.optional(),
}).superRefine((source, ctx) => {
  const generic = source.domain === "csv" || source.domain === "jsonl";
  if (generic && source.mapping === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["mapping"],
      message: `missing, required when domain is "${source.domain}" (key, timestamp and fields)`,
    });
  }
  if (!generic && source.mapping !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["mapping"],
      message: `not allowed: the "${source.domain}" domain has a fixed format`,
    });
  }
});

/** Forecasting hyper-parameters, in the optimiser's search ranges (RTCEF's). */
const hyperParametersSchema = z.strictObject({
  order: integer(1, 5).default(2),
  threshold: numberIn(0, 1).default(0.5),
  pMin: numberIn(0, 1, "()").default(0.001),
  gamma: numberIn(0, 1, "()").default(0.001),
  alpha: nonNegative().default(0),
  r: positive().default(1.05),
});

const forecastSchema = z.strictObject({
  horizon: integer(1).default(200),
  maxSpread: integer(0).default(200),
  /**
   * `interval`: the shortest interval holding theta_fc of the waiting-time probability;
   * `classification`: "a match within the next `within` events" (how Wayeb scores MCC).
   */
  mode: oneOf(["interval", "classification"]).default("interval"),
  within: integer(1).default(20),
  /** Waiting-time paths below this probability are dropped. */
  cutoff: numberIn(0, 1).default(0.001),
}).superRefine((forecast, ctx) => {
  if (forecast.mode === "classification" && forecast.within > forecast.horizon) {
    ctx.addIssue({
      code: "custom",
      path: ["within"],
      message: `expected an integer <= horizon (${forecast.horizon}), got ${forecast.within}`,
    });
  }
});

const wayebSchema = z.strictObject({
  /** The user's Wayeb jar (Retune does not ship Wayeb). */
  jar: filePath(),
  /** The java executable: a name looked up on PATH, or a path. */
  java: text().default("java"),
});

const MODEL_KINDS = ["cef-pst", "cef-markov", "wayeb"] as const;

/** Events the initial model trains on when `model.initialTraining` names neither a count nor a span. */
const INITIAL_TRAINING_EVENTS = 5_000;

/** Units of a stream-time span such as "14d": milliseconds per unit. */
const SPAN_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: WEEK_MS,
};

/** A stream-time span written as a count and a unit ("14d", "36h", "90m", "2w"), in ms. */
function span() {
  const form = 'a span such as "14d" (an integer >= 1 and one of ms, s, m, h, d, w)';
  return z.union([
    // Already in ms: a validated section checked again (a fleet model's, `config/fleet.ts`).
    z.int().min(1),
    z.string().regex(/^[1-9]\d*(ms|s|m|h|d|w)$/).transform((value) => {
      const [, count, unit] = value.match(/^(\d+)(ms|s|m|h|d|w)$/)!;
      return Number(count) * SPAN_UNITS[unit];
    }),
  ], { error: form });
}

/**
 * The offline stream the initial model (version 0) is trained on, as RTCEF trained its own: its
 * first `events` events, or its first `span` (or `spanMs`) of stream time; at most one of the
 * three, and `events: 5000` when none is given.
 */
const initialTrainingSchema = z.strictObject({
  /** Default: the replayer's stream (`replayer.file` or `--input`). */
  file: filePath().optional(),
  /** Train on the first n events of it. */
  events: integer(1).optional(),
  /** Train on the events of its first n ms of stream time. */
  spanMs: integer(1).optional(),
  /** The same as `spanMs`, written with a unit: "14d". */
  span: span().optional(),
}).refine(
  (v) => [v.events, v.spanMs, v.span].filter((x) => x !== undefined).length <= 1,
  { error: 'expected at most one of events: n, spanMs: n or span: "14d"' },
).transform(({ file, events, spanMs, span }): InitialTraining => {
  const length = span ?? spanMs;
  return length !== undefined
    ? { file, spanMs: length }
    : { file, events: events ?? INITIAL_TRAINING_EVENTS };
}).prefault({ events: INITIAL_TRAINING_EVENTS });

/** What the initial model is trained on: a count of events or a span of stream time. */
export type InitialTraining =
  & { file?: string }
  & ({ events: number } | { spanMs: number });

const modelSchema = z.strictObject({
  kind: oneOf(MODEL_KINDS).default("cef-pst"),
  pattern: filePath(),
  declarations: filePath().optional(),
  source: sourceSchema,
  initialParams: hyperParametersSchema.prefault({}),
  initialTraining: initialTrainingSchema.prefault({}),
  forecast: forecastSchema.prefault({}),
  wayeb: wayebSchema.optional(),
}).superRefine((model, ctx) => {
  if (model.kind === "wayeb" && model.wayeb === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["wayeb"],
      message: 'missing, required when kind is "wayeb" (jar: path to your Wayeb jar)',
    });
  }
});

/** How often something happens: every n events or every n ms of stream time. */
function cadence<E extends string, T extends string>(
  eventsKey: E,
  timeKey: T,
  timeDefault: number,
) {
  const form = `expected exactly one of ${eventsKey}: n or ${timeKey}: n`;
  return z.strictObject({ [eventsKey]: integer(1).optional(), [timeKey]: integer(1).optional() })
    .refine((v) => (v[eventsKey] === undefined) !== (v[timeKey] === undefined), { error: form })
    .transform((v) =>
      (v[eventsKey] !== undefined ? { [eventsKey]: v[eventsKey] } : { [timeKey]: v[timeKey] }) as
        | { [K in E]: number }
        | { [K in T]: number }
    )
    .prefault({ [timeKey]: timeDefault });
}

const engineSchema = z.strictObject({
  /** Metrics report cadence; the reference system reported every week of stream time. */
  report: cadence("everyEvents", "everyStreamMs", WEEK_MS),
  /**
   * Who cuts the metrics series. `engine`: each engine reports its own windows (one engine: the
   * series; N engines: N series). `partition`: each input partition is scored on the absolute
   * grid [k * everyStreamMs, (k + 1) * everyStreamMs) of stream time and the observer merges the
   * partitions' counts into one series, the same for 1 or N engines.
   */
  reportBy: oneOf(["engine", "partition"]).default("engine"),
  /** How often the engine publishes its input position (RTCEF: every 100 events). */
  positionEveryEvents: integer(1).default(100),
  /** Longest a starting engine waits for a first model before it fails (and is restarted), ms. */
  firstModelDeadlineMs: integer(1).default(600_000),
  /** Most input records handed to the engine at once. */
  maxBatchRecords: integer(1).default(2_000),
  /**
   * Longest the published position trails what the engine processed once its input pauses, so
   * the collector (and, in process, the replayer it holds back) never waits for it for ever.
   */
  positionLingerMs: integer(1).default(50),
  /**
   * `exactly_once`: forecasts, checkpoints and input offsets are committed in one Kafka
   * transaction per batch; `at_least_once`: a kill may repeat forecasts, never lose one.
   */
  delivery: oneOf(["at_least_once", "exactly_once"]).default("at_least_once"),
  /**
   * Longest an assigned input partition waits for its checkpoint to appear in the changelog
   * before its run state starts afresh (a changelog deleted or never written), ms.
   */
  restoreDeadlineMs: integer(1).default(30_000),
});

const collectionPolicySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("last_k"), k: integer(1).default(4) }),
  z.strictObject({
    kind: z.literal("exponential_decay"),
    /** Weight (share of events) of a bucket `age` buckets old: lambda^age. */
    lambda: numberIn(0, 1, "()").default(0.5),
    k: integer(1).default(4),
    /** Smallest weight worth including: an older bucket weighing less is left out. */
    floor: numberIn(0, 1, "(]").default(0.05),
  }),
  z.strictObject({ kind: z.literal("score_based"), k: integer(1).default(4) }),
], { error: kindError(["last_k", "exponential_decay", "score_based"]) });

/**
 * Retraining on a schedule (`policies/retrain/retrain_schedule.ts`): every `every` of stream time
 * or at each occurrence of `cron` on wall time (UTC), on the last `window` of stream time; every
 * `fullHistoryEvery`-th tick on every bucket kept.
 */
const scheduleSchema = z.strictObject({
  every: span().optional(),
  cron: z.string({ error: 'a cron expression such as "0 3 * * 1"' }).optional(),
  window: span(),
  fullHistoryEvery: integer(2).optional(),
}).superRefine((schedule, ctx) => {
  if ((schedule.every === undefined) === (schedule.cron === undefined)) {
    ctx.addIssue({
      code: "custom",
      message: 'expected exactly one of every: "7d" (stream time) or cron: "0 3 * * 1" (wall time)',
    });
  }
  const problem = schedule.cron === undefined ? null : cronProblem(schedule.cron);
  if (problem !== null) {
    ctx.addIssue({
      code: "custom",
      path: ["cron"],
      message: `expected a cron expression such as "0 3 * * 1" (minute hour day month weekday, ` +
        `UTC), got ${JSON.stringify(schedule.cron)}: ${problem}`,
    });
  }
});

const collectorSchema = z.strictObject({
  /** Bucket size; the reference system used one week of stream time. */
  bucket: cadence("byEvents", "byStreamMs", WEEK_MS),
  keep: integer(1).default(9),
  policy: collectionPolicySchema.prefault({ kind: "last_k" }),
  /** Retrain on a schedule too (absent: only when the observer asks). */
  schedule: scheduleSchema.optional(),
}).superRefine((collector, ctx) => {
  const { bucket, keep, schedule } = collector;
  if (
    schedule !== undefined && "byStreamMs" in bucket && schedule.window > keep * bucket.byStreamMs
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["schedule", "window"],
      message: `expected a span <= collector.keep x collector.bucket.byStreamMs ` +
        `(${keep * bucket.byStreamMs} ms: older buckets are deleted), got ${schedule.window} ms`,
    });
  }
  if (collector.policy.k > collector.keep) {
    ctx.addIssue({
      code: "custom",
      path: ["policy", "k"],
      message:
        `expected an integer <= collector.keep (${collector.keep}), got ${collector.policy.k}`,
    });
  }
});

/**
 * The minimum-score rule every retrain policy includes: a batch MCC below `minScore` asks for an
 * optimisation at once (-1 turns it off); it then stays quiet for `minScoreHoldOff` scored reports
 * of the same model version (the reference system's guard length).
 */
const minScoreRule = {
  minScore: numberIn(-1, 1).default(0.2),
  minScoreHoldOff: integer(0).default(4),
};

const retrainPolicySchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("trend"),
    /** Reports the line is fitted to. */
    k: integer(2).default(3),
    slopeThreshold: z.number({ error: "a negative number" })
      .negative({ error: "a negative number" }).default(-0.025),
    /** Reports after a retrain during which a further decline means optimise. */
    guard: integer(0).default(4),
    ...minScoreRule,
  }),
  z.strictObject({
    kind: z.literal("difference"),
    trainDrop: positive().default(0.025),
    optimiseDrop: positive().default(0.1),
    ...minScoreRule,
  }).superRefine((policy, ctx) => {
    if (policy.optimiseDrop <= policy.trainDrop) {
      ctx.addIssue({
        code: "custom",
        path: ["optimiseDrop"],
        message: `expected a number > trainDrop (${policy.trainDrop}), got ${policy.optimiseDrop}`,
      });
    }
  }),
  z.strictObject({
    kind: z.literal("page_hinkley"),
    /** Tolerated decline per report. */
    delta: nonNegative().default(0.01),
    /** Alarm threshold on the cumulative decline. */
    lambda: positive().default(0.2),
    /** Forgetting factor of the cumulative sum; 1 is the classic test. */
    alpha: numberIn(0, 1, "(]").default(1),
    /** Reports after a retrain during which a further detection means optimise. */
    guard: integer(0).default(4),
    ...minScoreRule,
  }),
], { error: kindError(["trend", "difference", "page_hinkley"]) });

/**
 * The validation-gap rule, combined with the configured policy: a model whose batch MCC stays
 * more than `margin` below the MCC it reached on its held-out validation data for `reports`
 * scored reports in a row asks for a retrain; again within `guard` reports after that retrain, an
 * optimisation; a model an optimisation made asks for an optimisation after `optimisedReports`.
 * `margin: null` turns it off.
 */
const validationGapSchema = z.strictObject({
  margin: numberIn(0, 2, "(]").nullable().default(0.25),
  reports: integer(1).default(3),
  /** Reports in a row with a gap before a model an optimisation made asks for an optimisation. */
  optimisedReports: integer(1).default(1),
  guard: integer(0).default(4),
});

/**
 * The fall rule, around the policy and the rules above: during a fall of the batch MCC more than
 * `margin` below the level it held, a model version's first retrain becomes an optimisation, a
 * fall no rule decided on asks for one after `reports` reports, and an optimisation tests its
 * candidates from where the fall began. `margin: null` turns it off.
 */
const fallSchema = z.strictObject({
  margin: numberIn(0, 2, "(]").nullable().default(0.25),
  reports: integer(1).default(2),
});

const observerSchema = z.strictObject({
  policy: retrainPolicySchema.prefault({ kind: "trend" }),
  validationGap: validationGapSchema.prefault({}),
  fall: fallSchema.prefault({}),
  /** What the observer may ask for: `train` or `optimise` only turns every decision into it. */
  actions: oneOf(["both", "train", "optimise"]).default("both"),
  /**
   * `engine.reportBy: partition`: longest the observer holds a window that some input partition
   * closed while others have not, ms; the others then count as idle (logged) until they report.
   */
  mergeIdleMs: integer(1).default(60_000),
});

/**
 * How an experiment runs. `live`: as in production, the stream runs on while a job runs, so
 * results depend on the machine's speed. `lockstep`: at the end of each report window the
 * engine waits until the collector, factory, observer and optimiser have settled and a model
 * they made is loaded (RTCEF's own protocol), and windows are cut on a stream-time grid: the
 * same configuration and stream give the same series. Lockstep needs the in-process transport.
 */
const experimentSchema = z.strictObject({
  mode: oneOf(["live", "lockstep"]).default("live"),
  /** Longest a lockstep engine waits for the others to settle before it goes on (and warns). */
  settleTimeoutMs: integer(1).default(600_000),
});

const optimiserSchema = z.strictObject({
  strategy: oneOf(["bayesian", "random"]).default("bayesian"),
  /** Initial design points, reused samples included; absent: the dimensions + 1. */
  initialPoints: integer(1).optional(),
  /** Evaluations per optimisation, reused samples included (RTCEF: 20, 5 of them reused). */
  evaluations: integer(1).default(20),
  /** Best samples carried over from the previous optimisation. */
  reuse: integer(0).default(5),
  acquisition: oneOf(["hedge", "ei", "pi", "lcb"]).default("hedge"),
  /** Improvement margin of EI and PI, in score units (scikit-optimize's). */
  xi: nonNegative().default(0.01),
  /** Confidence width of LCB, in standard deviations (scikit-optimize's). */
  kappa: nonNegative().default(1.96),
  /** Smoothness of the Matern kernel (2.5: scikit-optimize's default kernel). */
  nu: z.union([z.literal(1.5), z.literal(2.5)], { error: "1.5 or 2.5" }).default(2.5),
  /** How greedily GP-Hedge follows the acquisition with the highest gain. */
  hedgeEta: positive().default(1),
  /** Random restarts of the kernel fit per ask, beside the warm start from the previous fit. */
  gpRestarts: integer(0).default(3),
  /** Most optimiser iterations of each kernel fit. */
  gpIterations: integer(1).default(30),
  /**
   * Warp of the losses the model sees: `log` compresses values spanning orders of magnitude,
   * `tail` compresses only those above the median (the better half stays linear, so a second
   * basin nearly as good as the best still looks it), `none` standardises only (as Optuna's GP),
   * `auto` fits `log` and `none` at every ask and keeps the likelier model (twice the fitting).
   * `none` is the default: it wins the search bench and matches `log` on the drift bench's
   * six-seed mean (README, Measured).
   */
  targetWarp: oneOf(["auto", "log", "tail", "none"]).default("none"),
  /** Every n-th ask of the model minimises its posterior mean instead (polishes); 0: never. */
  polishEvery: integer(0).default(3),
  seed: integer(0).default(1234),
  initDeadlineMs: integer(1).default(60_000),
  stepDeadlineMs: integer(1).default(600_000),
  trainDeadlineMs: integer(1).default(600_000),
  finaliseDeadlineMs: integer(1).default(600_000),
  /** Extra attempts for a request that missed its deadline. */
  retries: integer(0).default(1),
  /**
   * Candidates tested at once. Absent: `factory.concurrency`, the leader's workers; with
   * `factory.distribute`, the workers of every factory process together.
   */
  stepsInFlight: integer(1).optional(),
}).superRefine((optimiser, ctx) => {
  if (optimiser.reuse >= optimiser.evaluations) {
    ctx.addIssue({
      code: "custom",
      path: ["reuse"],
      message:
        `expected an integer < optimiser.evaluations (${optimiser.evaluations}), got ${optimiser.reuse}`,
    });
  }
});

const evaluationSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("holdout"), testFraction: numberIn(0, 1, "()").default(0.3) }),
  z.strictObject({ kind: z.literal("walk_forward"), folds: integer(1).default(3) }),
], { error: kindError(["holdout", "walk_forward"]) });

/**
 * What a retrain's or an optimisation's new model is compared with before it ships: the live
 * model and the `recall` newest earlier ones whose artifacts are kept, all tested on the new
 * model's held-out data. The new model ships unless one of them beats it by more than `margin`;
 * then the live one stays, or an earlier one that beats it by more than `margin` is shipped again.
 */
const gateSchema = z.strictObject({
  /** Off by default: at one optimiser seed it cost the drift bench's card-fraud-like rows (README). */
  enabled: z.boolean({ error: "true or false" }).default(false),
  /** MCC by which another model must beat the new one (and an earlier one the live one). */
  margin: numberIn(0, 1).default(0.02),
  /** Earlier versions compared too, newest first (0: only the live one). */
  recall: integer(0).default(2),
});

/**
 * The forecast threshold a retrain's or an optimisation's model ships with: the one asked for, or
 * tuned on its held-out data to the centre of the best plateau of MCC
 * (`actors/factory/threshold_choice.ts`), at the cost of a test of every fold per threshold tried.
 */
const thresholdChoiceSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("asked") }),
  z.strictObject({
    kind: z.literal("tuned"),
    from: numberIn(0, 1).default(0.05),
    to: numberIn(0, 1).default(0.95),
    step: numberIn(0, 1, "(]").default(0.025),
    halfWidth: numberIn(0, 1).default(0.05),
  }).superRefine((tuned, ctx) => {
    if (tuned.from > tuned.to) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `expected a number >= from (${tuned.from}), got ${tuned.to}`,
      });
    }
  }),
], { error: kindError(["asked", "tuned"]) });

const factorySchema = z.strictObject({
  /** Candidates are tested on later data than they were trained on (RTCEF: 70/30 split). */
  evaluation: evaluationSchema.prefault({ kind: "holdout" }),
  /** Training/testing jobs run at once (a fleet's: on the one pool all its models share). */
  concurrency: integer(1).default(1),
  /** A fleet's jobs of one model running at once on the shared pool (fair to the others). */
  modelConcurrency: integer(1).default(1),
  /**
   * Optimisation candidates go to the work topic, where every factory process (the leader and
   * its standbys) takes them, instead of only the leader's workers.
   */
  distribute: z.boolean({ error: "true or false" }).default(false),
  /**
   * Contiguous slices a bucket of weight below 1 (exponential decay) is cut into, of which its
   * share is sampled: each partition's sequence gets at most that many seams.
   */
  sampleSlices: integer(1).default(20),
  /** How often a long dataset assembly renews the factory's mailbox group membership. */
  heartbeatMs: integer(1).default(3_000),
  /**
   * Model artifacts kept, the newest (the live one is kept too): the versions a rollback can go
   * back to. An older version's record stays in the catalogue with its artifact marked retired.
   */
  keepModels: integer(2).default(5),
  gate: gateSchema.prefault({}),
  threshold: thresholdChoiceSchema.prefault({ kind: "asked" }),
}).superRefine((factory, ctx) => {
  // An earlier version can be recalled only while its artifact is kept, beside the live one's.
  if (factory.gate.recall > factory.keepModels - 1) {
    ctx.addIssue({
      code: "custom",
      path: ["gate", "recall"],
      message: `expected an integer <= factory.keepModels - 1 (${
        factory.keepModels - 1
      }): only kept artifacts can be recalled, got ${factory.gate.recall}`,
    });
  }
});

const rateSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("max") }),
  z.strictObject({ kind: z.literal("events_per_second"), value: positive() }),
  z.strictObject({ kind: z.literal("speedup"), value: positive() }),
], { error: kindError(["max", "events_per_second", "speedup"]) });

const replayerSchema = z.strictObject({
  /** The stream to replay (overridden by `--input`). */
  file: filePath().optional(),
  rate: rateSchema.prefault({ kind: "max" }),
  /** Start this many 30-day months into the stream, wrapping the head around. */
  rotateMonths: integer(0).default(0),
  /** A longer line is dead-lettered (its start, length and line number), never held whole. */
  maxLineLength: integer(1).default(65_536),
  /** Most events per slice of the stream; a slice becomes one input record per partition. */
  batchEvents: integer(1).default(1_000),
  /** Wall time a paced slice covers at most (at 100 events/s, 5 events). */
  sliceMs: integer(1).default(50),
  /** Slices the reading worker may have ready before the replayer takes them. */
  readAhead: integer(1).default(4),
});

const supervisionSchema = z.strictObject({
  initialBackoffMs: integer(1).default(500),
  maxBackoffMs: integer(1).default(30_000),
  /** More restarts than this within `withinMs` escalates. */
  maxRestarts: integer(0).default(5),
  withinMs: integer(1).default(60_000),
  /** Growth of the backoff per restart. */
  backoffFactor: z.number({ error: "a number >= 1" }).gte(1, { error: "a number >= 1" })
    .finite({ error: "a number >= 1" }).default(2),
  /** Relative spread of each backoff delay, so actors that failed together restart apart. */
  backoffJitter: numberIn(0, 1, "[)").default(0.2),
  /** How long a role's retriable failures (Kafka or etcd unreachable) are ridden out. */
  maxOutageMs: integer(0).default(60_000),
  /** Time a role may take to stop (drain its batch, commit, release what it holds). */
  shutdownTimeoutMs: integer(1).default(10_000),
  /** Per-role overrides of `shutdownTimeoutMs`. */
  shutdownTimeoutMsByRole: z.strictObject({
    engine: integer(1).optional(),
    collector: integer(1).optional(),
    observer: integer(1).optional(),
    optimiser: integer(1).optional(),
    factory: integer(1).optional(),
    replayer: integer(1).optional(),
    serving: integer(1).optional(),
  }).prefault({}),
}).superRefine((supervision, ctx) => {
  if (supervision.maxBackoffMs < supervision.initialBackoffMs) {
    ctx.addIssue({
      code: "custom",
      path: ["maxBackoffMs"],
      message:
        `expected an integer >= initialBackoffMs (${supervision.initialBackoffMs}), got ${supervision.maxBackoffMs}`,
    });
  }
});

const inProcessSchema = z.strictObject({
  /**
   * Records a consumer group may lag per partition of an in-process topic before publishers
   * wait; with the replayer's batches of 1,000 events, about a million events per partition.
   */
  capacity: integer(1).default(1_000),
});

const httpSchema = z.strictObject({
  /**
   * Address the process's HTTP server (/metrics, /healthz, /readyz, the dashboard) listens on;
   * `0.0.0.0` to be reached from other hosts (containers, probes).
   */
  hostname: text().default("127.0.0.1"),
  /** Its port; 0 picks a free one (logged). Roles sharing a host each need their own. */
  port: integer(0, 65_535).default(9464),
});

const servingSchema = z.strictObject({
  /**
   * Base URL other processes reach this replica's API at, registered in etcd (e.g. the pod's
   * address). Absent: the HTTP server's own address.
   */
  advertise: z.url({ protocol: /^https?$/, error: 'an "http(s)://host:port/" URL' }).optional(),
  /** First pause after a failed model load, ms; doubled after each failure. */
  loadInitialBackoffMs: integer(1).default(200),
  /** Longest pause between two load attempts, ms. */
  loadMaxBackoffMs: integer(1).default(5_000),
  /** Past this, a replica stops trying to load a version and stays not ready until the next. */
  loadDeadlineMs: integer(1).default(60_000),
  /** Most events one `POST /forecast` may carry. */
  maxEvents: integer(1).default(10_000),
  /** How often a replica reads the designation besides its watch (a watch lost unnoticed). */
  resyncMs: integer(1).default(30_000),
}).superRefine((serving, ctx) => {
  if (serving.loadMaxBackoffMs < serving.loadInitialBackoffMs) {
    ctx.addIssue({
      code: "custom",
      path: ["loadMaxBackoffMs"],
      message:
        `expected an integer >= loadInitialBackoffMs (${serving.loadInitialBackoffMs}), got ${serving.loadMaxBackoffMs}`,
    });
  }
});

/** A fleet model's name: it names topics' consumer groups, registry keys and folders. */
const modelName = z.string({ error: "a model name (1-63 of a-z 0-9 _ -, starting a-z 0-9)" })
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
    error: "a model name (1-63 of a-z 0-9 _ -, starting a-z 0-9)",
  });

const regexText = z.string({ error: "a regular expression" }).refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, { error: "a valid regular expression" });

/** Which events belong to a model, by their key: listed keys, a key prefix or a key pattern. */
const keySelectorSchema = z.union([
  z.strictObject({ keys: nonEmptyList(text(), "event keys") }),
  z.strictObject({ prefix: text() }),
  z.strictObject({ match: regexText }),
], { error: "a mapping with one of keys (a list), prefix or match (a regular expression)" });

const blockOverride = z.record(z.string(), z.unknown(), {
  error: "a mapping of the section's keys",
});

/**
 * One model of a fleet: its name, the events it forecasts (`select`; absent: every event) and its
 * overrides of the deployment's `model`, `collector`, `observer`, `optimiser` and `factory`
 * sections (`config/model_inheritance.ts`), each checked against the section's schema once merged.
 */
const fleetModelSchema = z.strictObject({
  name: modelName,
  select: keySelectorSchema.optional(),
  model: blockOverride.optional(),
  collector: blockOverride.optional(),
  observer: blockOverride.optional(),
  optimiser: blockOverride.optional(),
  factory: blockOverride.optional(),
});

/** The schema each inherited section is checked against once a model's override is merged. */
export const inheritedBlockSchemas = {
  model: modelSchema,
  collector: collectorSchema,
  observer: observerSchema,
  optimiser: optimiserSchema,
  factory: factorySchema,
} as const;

/** The whole configuration file's sections, before the checks across sections. */
const fleetBaseSchema = z.strictObject({
  transport: oneOf(["in-process", "kafka"]).default("in-process"),
  kafka: kafkaSchema.prefault({}),
  /** Used when `transport` is `in-process`. */
  inProcess: inProcessSchema.prefault({}),
  /** Absent: the registry lives in process. */
  etcd: etcdSchema.optional(),
  /** Absent: Kafka records are bare Avro, without a schema id. */
  schemaRegistry: schemaRegistrySchema.optional(),
  topics: topicsSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  storage: storageSchema.prefault({}),
  model: modelSchema,
  engine: engineSchema.prefault({}),
  collector: collectorSchema.prefault({}),
  observer: observerSchema.prefault({}),
  optimiser: optimiserSchema.prefault({}),
  factory: factorySchema.prefault({}),
  replayer: replayerSchema.prefault({}),
  serving: servingSchema.prefault({}),
  supervision: supervisionSchema.prefault({}),
  http: httpSchema.prefault({}),
  experiment: experimentSchema.prefault({}),
  /** A fleet: many models on the one stream (absent: one model, named "default"). */
  models: nonEmptyList(fleetModelSchema, "models (name, select, overrides)").optional(),
});

/** The whole configuration file. */
export const configSchema = fleetBaseSchema.superRefine((config, ctx) => {
  checkFleet(config, ctx);
  if (config.schemaRegistry !== undefined && config.transport !== "kafka") {
    ctx.addIssue({
      code: "custom",
      path: ["schemaRegistry"],
      message: `expected no schemaRegistry with transport "${config.transport}" ` +
        `(it frames Kafka records; set transport: kafka)`,
    });
  }
  if (config.experiment.mode === "lockstep" && config.transport !== "in-process") {
    ctx.addIssue({
      code: "custom",
      path: ["experiment", "mode"],
      message: `expected "live" with transport "${config.transport}" (lockstep needs "in-process")`,
    });
  }
  if (config.engine.reportBy === "partition") {
    if (!("everyStreamMs" in config.engine.report)) {
      ctx.addIssue({
        code: "custom",
        path: ["engine", "reportBy"],
        message:
          'expected "engine" with report.everyEvents (partition windows need report.everyStreamMs)',
      });
    }
    if (config.experiment.mode === "lockstep") {
      ctx.addIssue({
        code: "custom",
        path: ["engine", "reportBy"],
        message:
          'expected "engine" with experiment.mode "lockstep" (lockstep cuts its own windows)',
      });
    }
  }
});

/** Checks the fleet: unique names, each model's merged sections valid, live experiments only. */
function checkFleet(
  config: z.infer<typeof fleetBaseSchema>,
  ctx: z.core.$RefinementCtx,
): void {
  const models = config.models ?? [];
  const seen = new Set<string>();
  models.forEach((entry, index) => {
    if (seen.has(entry.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["models", index, "name"],
        message: `expected a name no other model has, got ${JSON.stringify(entry.name)} again`,
      });
    }
    seen.add(entry.name);
    for (const key of SHARED_MODEL_KEYS) {
      if (entry.model !== undefined && key in entry.model) {
        ctx.addIssue({
          code: "custom",
          path: ["models", index, "model", key],
          message: `every model reads the one stream: set it once, as model.${key}`,
        });
      }
    }
    // A role process reads each topic for every model through one consumer (the fleet bus):
    // every model's factory must take candidate jobs from the work topic, or none.
    const distribute = entry.factory?.distribute;
    if (distribute !== undefined && distribute !== config.factory.distribute) {
      ctx.addIssue({
        code: "custom",
        path: ["models", index, "factory", "distribute"],
        message: `expected the deployment's factory.distribute (${config.factory.distribute}): ` +
          `a fleet's models share their factory's work topic, got ${distribute}`,
      });
    }
    for (const block of INHERITED_BLOCKS) {
      const override = entry[block];
      if (override === undefined) continue;
      const merged = deepMerge(config[block], override);
      const result = inheritedBlockSchemas[block].safeParse(merged);
      if (result.success) continue;
      for (const issue of result.error.issues) {
        ctx.addIssue({
          code: "custom",
          path: ["models", index, block, ...issue.path.map(String)],
          message: describeMerged(issue, merged),
        });
      }
    }
  });
  if (models.length > 1 && config.experiment.mode === "lockstep") {
    ctx.addIssue({
      code: "custom",
      path: ["experiment", "mode"],
      message: `expected "live" with ${models.length} models (lockstep runs one model)`,
    });
  }
}

/** A merged section's issue worded as `ConfigError` words any other. */
function describeMerged(issue: z.core.$ZodIssue, merged: unknown): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${
      issue.keys.map((k) => JSON.stringify(k)).join(", ")
    }`;
  }
  if (issue.code === "custom") return issue.message;
  let found = merged;
  for (const key of issue.path) {
    found = typeof found === "object" && found !== null
      ? (found as Record<PropertyKey, unknown>)[key]
      : undefined;
  }
  return found === undefined
    ? `missing, expected ${issue.message}`
    : `expected ${issue.message}, got ${JSON.stringify(found)}`;
}

/** A validated configuration with every default filled in. */
export type RetuneConfig = z.infer<typeof configSchema>;
/** Where the process's HTTP server listens. */
export type HttpConfig = RetuneConfig["http"];
/** How mailboxes and data topics are carried. */
export type TransportKind = RetuneConfig["transport"];
/** Kafka connection settings. */
export type KafkaConfig = RetuneConfig["kafka"];
/** etcd connection settings (absent: in-process registry). */
export type EtcdConfig = z.infer<typeof etcdSchema>;
/** The schema registry Kafka records are framed for (absent: bare Avro). */
export type SchemaRegistryConfig = z.infer<typeof schemaRegistrySchema>;
/** Every topic, by purpose. */
export type TopicsConfig = RetuneConfig["topics"];
/** What a topic is for. */
export type TopicPurpose = keyof TopicsConfig;
/** One topic's name and layout. */
export type TopicConfig = TopicsConfig[TopicPurpose];
/** Log level and format. */
export type LoggingConfig = RetuneConfig["logging"];
/** The lowest level logged. */
export type LogLevelName = LoggingConfig["level"];
/** Where artifacts and collected data live. */
export type StorageConfig = RetuneConfig["storage"];
/** The object store of `storage.kind: s3`. */
export type S3Config = z.infer<typeof s3Schema>;
/** The model, its pattern, its data source and its starting parameters. */
export type ModelConfig = RetuneConfig["model"];
/** Which forecasting model implementation. */
export type ModelKind = ModelConfig["kind"];
/** The input's format and how its fields map to events. */
export type SourceConfig = ModelConfig["source"];
/** A known input format. */
export type SourceDomain = SourceConfig["domain"];
/** Field mapping of a generic CSV or JSON-lines source. */
export type SourceMapping = z.infer<typeof sourceMappingSchema>;
/** Forecast horizon and widest interval, in events. */
export type ForecastConfig = ModelConfig["forecast"];
/** The user-supplied Wayeb jar and java executable. */
export type WayebConfig = z.infer<typeof wayebSchema>;
/** Engine reporting settings. */
export type EngineConfig = RetuneConfig["engine"];
/** Every n events or every n ms of stream time. */
export type ReportCadence = EngineConfig["report"];
/** Collector settings. */
export type CollectorConfig = RetuneConfig["collector"];
/** Bucket size: n events or n ms of stream time. */
export type BucketCadence = CollectorConfig["bucket"];
/** Which buckets make a dataset. */
export type CollectionPolicyConfig = CollectorConfig["policy"];
/** Observer settings. */
export type ObserverConfig = RetuneConfig["observer"];
/** When the observer asks for a retrain or an optimisation. */
export type RetrainPolicyConfig = ObserverConfig["policy"];
/** The validation-gap rule's settings. */
export type ValidationGapConfig = ObserverConfig["validationGap"];
/** Live or lockstep experiments. */
export type ExperimentConfig = RetuneConfig["experiment"];
/** Optimiser budget, strategy and deadlines. */
export type OptimiserConfig = RetuneConfig["optimiser"];
/** Factory settings. */
export type FactoryConfig = RetuneConfig["factory"];
/** How candidates are tested on held-out data. */
export type EvaluationConfig = FactoryConfig["evaluation"];
/** Replayer settings. */
export type ReplayerConfig = RetuneConfig["replayer"];
/** Replay pacing. */
export type RateConfig = ReplayerConfig["rate"];
/** Serving replicas: advertised address, model loading, request size. */
export type ServingConfig = RetuneConfig["serving"];
/** One model of a fleet as configured (its overrides unmerged: see `config/fleet.ts`). */
export type FleetModelConfig = NonNullable<RetuneConfig["models"]>[number];
/** Which events belong to a model, by key. */
export type KeySelectorConfig = NonNullable<FleetModelConfig["select"]>;
/** Supervisor restart settings. */
export type SupervisionConfig = RetuneConfig["supervision"];
