/**
 * The least Deno permissions each role needs, as data, and what follows from it: the flags for
 * `deno run` / `deno compile`, and `revokeUnneeded`, which drops what a role does not need from a
 * process started with more (e.g. `deno task start --role=engine`, whose task grants the union).
 *
 * Every role reads (configuration, pattern, stream files, artifacts, and files npm clients load at
 * run time, such as etcd3's protocol definitions), reads environment variables (configuration
 * overrides, and variables the yaml, kafkajs and grpc packages consult) and queries system
 * information (Node compatibility in the npm clients). What differs:
 * - writing: only the collector (buckets) and the factory (datasets, artifacts, Wayeb's work
 *   folder), and only under the storage folder; any role may also write its `--summary` file;
 * - running programs: only the factory, only java, only when the model kind is `wayeb`;
 * - network: a single role always talks to the others over the network; `all` needs it only
 *   when the transport is Kafka, the registry is etcd or the stores are in S3 (`storage.kind:
 *   s3`, whose endpoint every role that touches buckets or artifacts reaches). Otherwise a
 *   process needs it only to listen on its HTTP server's address (`http.hostname`:`http.port`),
 *   which `main.ts` binds before it revokes the rest.
 *
 * @module
 */

import { type Role, SERVICE_ROLES, type ServiceRole } from "../config/roles.ts";
import type { ModelKind, RetuneConfig } from "../config/schema.ts";

/** What a role needs beyond what every role gets. */
export interface RoleNeeds {
  /** Writes under the storage folder. */
  writesStorage: boolean;
  /** Runs the user's Wayeb jar with java (only when the model kind is `wayeb`). */
  runsWayeb: boolean;
}

/** The permission table. */
export const ROLE_NEEDS: Readonly<Record<ServiceRole, RoleNeeds>> = {
  engine: { writesStorage: false, runsWayeb: false },
  collector: { writesStorage: true, runsWayeb: false },
  observer: { writesStorage: false, runsWayeb: false },
  optimiser: { writesStorage: false, runsWayeb: false },
  factory: { writesStorage: true, runsWayeb: true },
  replayer: { writesStorage: false, runsWayeb: false },
};

/** The deployment facts permissions depend on. */
export interface Deployment {
  storageDir: string;
  modelKind: ModelKind;
  /** The java command or path used for Wayeb. */
  java: string;
  /** Kafka transport, etcd registry or S3 stores in use. */
  usesNetwork: boolean;
  /** The `--summary` file, if one is written. */
  summaryPath?: string | null;
  /** The HTTP server's `host:port` (just `host` for any port), if it serves. */
  listen?: string | null;
}

/** Concrete permissions of one process. */
export interface PermissionSet {
  read: boolean;
  /** Paths writable; empty means no writing at all. */
  write: string[];
  net: boolean;
  /** Addresses to listen on when `net` is false (`host:port`); empty means none. */
  listen: string[];
  env: boolean;
  sys: boolean;
  /** Programs runnable; empty means none. */
  run: string[];
}

/** The deployment facts of a configuration. */
export function deploymentOf(config: RetuneConfig, summaryPath: string | null = null): Deployment {
  return {
    storageDir: config.storage.dir,
    modelKind: config.model.kind,
    java: config.model.wayeb?.java ?? "java",
    usesNetwork: config.transport === "kafka" || config.etcd !== undefined ||
      config.storage.kind === "s3",
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
  if (deployment.summaryPath) write.push(deployment.summaryPath);
  const runsWayeb = deployment.modelKind === "wayeb" && needs.some((n) => n.runsWayeb);
  for (const path of [...write, ...(runsWayeb ? [deployment.java] : [])]) {
    if (path.includes(",")) {
      throw new RangeError(`permission paths must not contain a comma: current value is '${path}'`);
    }
  }
  const net = role !== "all" || deployment.usesNetwork;
  return {
    read: true,
    write,
    net,
    listen: !net && deployment.listen ? [deployment.listen] : [],
    env: true,
    sys: true,
    run: runsWayeb ? [deployment.java] : [],
  };
}

/** `--allow-*` flags granting exactly `permissions` (and never prompting for more). */
export function denoFlags(permissions: PermissionSet): string[] {
  const flags = ["--no-prompt"];
  if (permissions.read) flags.push("--allow-read");
  if (permissions.write.length > 0) flags.push(`--allow-write=${permissions.write.join(",")}`);
  if (permissions.net) flags.push("--allow-net");
  else if (permissions.listen.length > 0) flags.push(`--allow-net=${permissions.listen.join(",")}`);
  if (permissions.env) flags.push("--allow-env");
  if (permissions.sys) flags.push("--allow-sys");
  if (permissions.run.length > 0) flags.push(`--allow-run=${permissions.run.join(",")}`);
  return flags;
}

/**
 * Revokes the permissions `role` does not need at all (writing, running programs, network) and
 * returns their names. Call it once the HTTP server listens: a bound socket keeps serving
 * without the network permission, so a role that only serves loses it. A permission the role needs in part (writing only the storage folder)
 * cannot be narrowed at run time and stays as granted.
 */
export function revokeUnneeded(role: Role, deployment: Deployment): string[] {
  const needed = permissionsFor(role, deployment);
  const unneeded: Deno.PermissionName[] = [];
  if (needed.write.length === 0) unneeded.push("write");
  if (needed.run.length === 0) unneeded.push("run");
  if (!needed.net) unneeded.push("net");
  const revoked = unneeded.filter((name) =>
    Deno.permissions.querySync({ name }).state !== "denied"
  );
  for (const name of revoked) Deno.permissions.revokeSync({ name });
  return revoked;
}
