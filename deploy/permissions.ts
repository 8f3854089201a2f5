/**
 * The least Deno permissions each role needs, as data, and what follows from it: the flags for
 * `deno run` / `deno compile` (the start task's launcher, `launch.ts`, re-runs `main.ts` under
 * them), and `revokeUnneeded`, which drops what a role does not need at all from a process started
 * with more (e.g. `deno run -A main.ts`).
 *
 * Every permission is scoped to what the configuration names:
 * - network: only the configured Kafka brokers (with a Kafka transport), etcd endpoints (with
 *   an etcd registry), S3 endpoint (with `storage.kind: s3`) and schema registry (with
 *   `schemaRegistry`), `host:port` each (a host given by name: the whole host, see `netEntries`),
 *   and the HTTP server's listen address (`http.hostname`:`http.port`); an embedded run listens
 *   and connects nowhere else;
 * - reading: the configuration file, the pattern and declarations, the TLS files and secret files,
 *   etcd3's protocol definitions (read when its client loads),
 *   the storage folder for the roles that use it (engine and serving: artifacts; collector:
 *   buckets; factory: both), the stream file for the replayer and for the factory's initial training, and the
 *   Wayeb jar for the factory, and the program's source folders for a role that starts workers;
 * - writing: only the collector (buckets) and the factory (datasets, artifacts, Wayeb's work
 *   folder), and only under the storage folder; any role may also write its `--summary` file's
 *   folder;
 * - environment: only the configuration overrides (`RETUNE_KAFKA_BROKERS`, ...), the variables
 *   the configuration's secrets name (`NAME` and `NAME_FILE`), and the debug switches the npm
 *   clients read as they load (`LIBRARY_VARIABLES`);
 * - running programs: only the factory, only java, only when the model kind is `wayeb`;
 * - system information: every role (Node compatibility in the npm clients).
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type Role, SERVICE_ROLES, type ServiceRole } from "../config/roles.ts";
import type { RetuneConfig } from "../config/schema.ts";
import { OVERRIDE_VARIABLES } from "../config/load.ts";
import { type EnvLookup, processEnv, secretFiles, secretVariables } from "../config/secrets.ts";

/** What a role needs beyond what every role gets. */
export interface RoleNeeds {
  /** Reads the storage folder (buckets or artifacts). */
  readsStorage: boolean;
  /** Writes under the storage folder. */
  writesStorage: boolean;
  /** Reads the stream file (the replayer's input; the factory's initial training). */
  readsStream: boolean;
  /** Runs the user's Wayeb jar with java (only when the model kind is `wayeb`). */
  runsWayeb: boolean;
}

/** The permission table. */
export const ROLE_NEEDS: Readonly<Record<ServiceRole, RoleNeeds>> = {
  engine: { readsStorage: true, writesStorage: false, readsStream: false, runsWayeb: false },
  collector: { readsStorage: true, writesStorage: true, readsStream: false, runsWayeb: false },
  observer: { readsStorage: false, writesStorage: false, readsStream: false, runsWayeb: false },
  optimiser: { readsStorage: false, writesStorage: false, readsStream: false, runsWayeb: false },
  factory: { readsStorage: true, writesStorage: true, readsStream: true, runsWayeb: true },
  replayer: { readsStorage: false, writesStorage: false, readsStream: true, runsWayeb: false },
  serving: { readsStorage: true, writesStorage: false, readsStream: false, runsWayeb: false },
};

/**
 * Variables the npm clients read while they load or connect (debug and tuning switches, none a
 * secret); `*` ends a prefix. Reading any other variable is refused.
 */
export const LIBRARY_VARIABLES: readonly string[] = [
  "LOG_TOKENS",
  "LOG_STREAM",
  "NODE_ENV",
  "KAFKAJS_*",
  // debug (under @platformatic/kafka) reads its switch as it loads.
  "DEBUG",
  "GRPC_*",
  // grpc-js honours these proxy settings when it connects to etcd.
  "grpc_proxy",
  "https_proxy",
  "http_proxy",
  "no_grpc_proxy",
  "no_proxy",
];

/**
 * Worker modules each role starts, relative to the repository root: starting a worker reads its
 * module file (and `deno compile` must `--include` it).
 */
export const ROLE_WORKERS: Readonly<Partial<Record<ServiceRole, readonly string[]>>> = {
  factory: ["actors/factory/training_worker.ts", "actors/factory/assembly_worker.ts"],
  replayer: ["actors/replayer/slice_worker.ts"],
};

/** The absolute paths of the worker modules of `roles`. */
export function workerModules(roles: readonly ServiceRole[]): string[] {
  return roles.flatMap((role) => ROLE_WORKERS[role] ?? [])
    .map((path) => fileURLToPath(new URL(`../${path}`, import.meta.url)));
}

/**
 * The program's source folders (the rings of ARCHITECTURE.md): a worker loads its module graph
 * from them, which Deno checks as reading.
 */
const SOURCE_FOLDERS = [
  "actors",
  "config",
  "core",
  "logging",
  "models",
  "policies",
  "protocol",
  "registry",
  "schemas",
  "state",
  "storage",
  "transport",
].map((folder) => fileURLToPath(new URL(`../${folder}/`, import.meta.url)));

/** Where etcd3 loads its protocol definitions from, as its module loads. */
function etcdProtocolFiles(): string {
  return fileURLToPath(new URL("../proto/", import.meta.resolve("etcd3")));
}

/** The folder of `@platformatic/wasm-utils`, whose WebAssembly @platformatic/kafka loads. */
function platformaticWasmFiles(): string {
  // From <registry>/@platformatic/kafka/<version>/dist/index.js to <registry>/@platformatic/.
  return fileURLToPath(new URL("../../../wasm-utils/", import.meta.resolve("@platformatic/kafka")));
}

/** The deployment facts permissions depend on. */
export interface Deployment {
  storageDir: string;
  modelKind: ModelKindName;
  /** The java command or path used for Wayeb. */
  java: string;
  /** `host:port` of every Kafka broker and etcd endpoint the configuration uses. */
  hosts: string[];
  /** Files every role reads: configuration, pattern, declarations, TLS and secret files. */
  reads: string[];
  /** The stream file(s): replayer input, initial training. */
  streams: string[];
  /** Files only the factory reads (the Wayeb jar). */
  factoryReads: string[];
  /** Environment variables every role may read. */
  env: string[];
  /** The `--summary` file, if one is written. */
  summaryPath?: string | null;
  /** The HTTP server's `host:port` (just `host` for any port), if it serves. */
  listen?: string | null;
}

type ModelKindName = RetuneConfig["model"]["kind"];

/** Concrete permissions of one process; an empty list grants nothing of that kind. */
export interface PermissionSet {
  read: string[];
  write: string[];
  /** `host:port` entries. */
  net: string[];
  env: string[];
  sys: boolean;
  run: string[];
}

/** Where the process was told to look, beside its configuration. */
export interface Invocation {
  /** The configuration file, if one was given. */
  configPath?: string | null;
  /** The `--input` stream file, if one was given. */
  inputPath?: string | null;
  summaryPath?: string | null;
  /** Reads the variables that name secret files. Default: the process environment. */
  env?: EnvLookup;
}

/** The deployment facts of a configuration run as `invocation` says. */
export function deploymentOf(config: RetuneConfig, invocation: Invocation = {}): Deployment {
  const { configPath = null, inputPath = null, summaryPath = null, env = processEnv } = invocation;
  const hosts = [
    ...(config.transport === "kafka" ? config.kafka.brokers : []),
    ...(config.etcd?.endpoints ?? []).map(hostOfUrl),
    ...(config.storage.kind === "s3" ? [hostOfUrl(config.storage.s3!.endpoint)] : []),
    // Every role reads or writes framed Kafka records.
    ...(config.schemaRegistry === undefined ? [] : [hostOfUrl(config.schemaRegistry.url)]),
  ];
  const { model } = config;
  const tls = [
    ...(typeof config.kafka.ssl === "object" ? tlsPaths(config.kafka.ssl) : []),
    ...(config.etcd?.tls === undefined ? [] : tlsPaths(config.etcd.tls)),
  ];
  const reads = [
    ...(configPath === null ? [] : [configPath]),
    model.pattern,
    ...(model.declarations === undefined ? [] : [model.declarations]),
    ...tls,
    ...secretFiles(config, env),
    // Read as the etcd3 module loads, which every role does.
    etcdProtocolFiles(),
    // Read as the platformatic Kafka client loads, where the configuration chooses it.
    ...(config.transport === "kafka" && config.kafka.client === "platformatic"
      ? [platformaticWasmFiles()]
      : []),
  ];
  const streams = [inputPath ?? config.replayer.file, model.initialTraining.file]
    .filter((path): path is string => path !== undefined && path !== null);
  return {
    storageDir: config.storage.dir,
    modelKind: model.kind,
    java: model.wayeb?.java ?? "java",
    hosts: unique(hosts),
    reads: unique(reads),
    streams: unique(streams),
    factoryReads: model.wayeb === undefined ? [] : [model.wayeb.jar],
    env: unique([
      ...OVERRIDE_VARIABLES,
      ...secretVariables(config),
      ...LIBRARY_VARIABLES,
      // The S3 client's default credentials and settings, when the stores are in S3.
      ...(config.storage.kind === "s3" ? ["AWS_*"] : []),
    ]),
    summaryPath,
    listen: config.http.port === 0
      ? config.http.hostname
      : `${config.http.hostname}:${config.http.port}`,
  };
}

/** The least permissions `role` needs in `deployment`; `all` gets the union of every role's. */
export function permissionsFor(role: Role, deployment: Deployment): PermissionSet {
  const roles = role === "all" ? SERVICE_ROLES : [role];
  const needs = roles.map((r) => ROLE_NEEDS[r]);
  const write = needs.some((n) => n.writesStorage) ? [deployment.storageDir] : [];
  // The summary's folder too: it is created at start if missing.
  if (deployment.summaryPath) write.push(dirname(deployment.summaryPath));
  const runsWayeb = deployment.modelKind === "wayeb" && needs.some((n) => n.runsWayeb);
  const read = [
    ...deployment.reads,
    ...(needs.some((n) => n.readsStorage) ? [deployment.storageDir] : []),
    ...(needs.some((n) => n.readsStream) ? deployment.streams : []),
    ...(roles.includes("factory") ? deployment.factoryReads : []),
    ...(workerModules(roles).length > 0 ? SOURCE_FOLDERS : []),
  ];
  const run = runsWayeb ? [deployment.java] : [];
  for (const entry of [...read, ...write, ...run, ...deployment.hosts, ...deployment.env]) {
    if (entry.includes(",")) {
      throw new RangeError(
        `permission entries must not contain a comma: current value is '${entry}'`,
      );
    }
  }
  return {
    read: unique(read),
    write: unique(write),
    net: unique([
      ...netEntries(deployment.hosts),
      ...(deployment.listen ? [deployment.listen] : []),
    ]),
    env: deployment.env,
    sys: true,
    run,
  };
}

/** `--allow-*` flags granting exactly `permissions` (and never prompting for more). */
export function denoFlags(permissions: PermissionSet): string[] {
  const flags = ["--no-prompt"];
  const scoped = (name: string, list: readonly string[]) => {
    if (list.length > 0) flags.push(`--allow-${name}=${list.join(",")}`);
  };
  scoped("read", permissions.read);
  scoped("write", permissions.write);
  scoped("net", permissions.net);
  scoped("env", permissions.env);
  if (permissions.sys) flags.push("--allow-sys");
  scoped("run", permissions.run);
  return flags;
}

/**
 * Revokes the permissions `role` does not need at all (writing, running programs, network) and
 * returns their names. A permission the role needs in part cannot be narrowed at run time and
 * stays as granted: run the role under `denoFlags` (as the start task does) for the rest.
 */
export function revokeUnneeded(role: Role, deployment: Deployment): string[] {
  const needed = permissionsFor(role, deployment);
  const unneeded: Deno.PermissionName[] = [];
  if (needed.write.length === 0) unneeded.push("write");
  if (needed.run.length === 0) unneeded.push("run");
  // Called once the HTTP server listens: a bound socket keeps serving without the permission.
  if (deployment.hosts.length === 0) unneeded.push("net");
  const revoked = unneeded.filter((name) =>
    Deno.permissions.querySync({ name }).state !== "denied"
  );
  for (const name of revoked) Deno.permissions.revokeSync({ name });
  return revoked;
}

/**
 * The `--allow-net` entries for `host:port` addresses. Deno checks a name lookup (node's
 * `dns.lookup`, which grpc-js uses) against the bare host name, so a host given by name is granted
 * whole (and its addresses at `resolveHosts` time on the port); one given by IP address only on
 * its port.
 */
function netEntries(hosts: readonly string[]): string[] {
  return unique(hosts.flatMap((address) => {
    const host = address.slice(0, address.lastIndexOf(":"));
    return isIP(host.replace(/^\[|\]$/g, "")) ? [address] : [address, host];
  }));
}

/**
 * `deployment` with the addresses its host names resolve to now, on the same ports: node clients
 * connect to the resolved address, which Deno checks by itself.
 */
export async function resolveHosts(deployment: Deployment): Promise<Deployment> {
  const resolved = await Promise.all(deployment.hosts.map(async (address) => {
    const cut = address.lastIndexOf(":");
    const host = address.slice(0, cut);
    if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) return [address];
    const found = await lookup(host, { all: true }).catch(() => []);
    const port = address.slice(cut + 1);
    return [
      address,
      ...found.map((a) => a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`),
    ];
  }));
  return { ...deployment, hosts: unique(resolved.flat()) };
}

/** `host:port` of an `http(s)://host[:port]` URL, with the scheme's port by default. */
function hostOfUrl(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${parsed.hostname}:${port}`;
}

function tlsPaths(tls: { ca?: string; cert?: string; key?: string }): string[] {
  return [tls.ca, tls.cert, tls.key].filter((path): path is string => path !== undefined);
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}
