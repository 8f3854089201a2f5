/**
 * A throwaway single-member etcd (Debian's `etcd`, package etcd-server, v3.4) on free loopback
 * ports, for development and tests.
 *
 * As a command, `deno run -A scripts/services/etcd.ts` prints its endpoint and runs until
 * SIGINT or SIGTERM.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Etcd3 } from "etcd3";
import type { Certificates } from "./certificates.ts";
import { freePorts } from "./free_port.ts";
import { launchService, type RunningService, serveUntilSignalled } from "./service_process.ts";

/** How to start etcd. */
export interface EtcdOptions {
  /** How long etcd may take to report itself healthy, ms. Default 30,000. */
  readyTimeoutMs?: number;
  /** How long stopping waits after SIGTERM before SIGKILL, ms. Default 5,000. */
  stopGraceMs?: number;
  /**
   * Where etcd keeps its data, kept when it stops, so a later start with the same folder and
   * ports is a restart of the same member. Default: inside its temporary folder.
   */
  dataDir?: string;
  /** The client and peer ports. Default: free ones. */
  ports?: EtcdPorts;
  /** Serve clients over TLS (`https://`) with the server certificate of these. Default: plain. */
  tls?: Certificates;
  /**
   * Enable authentication, with the user `root` having this password (as `etcdctl user add root`
   * and `etcdctl auth enable` do). Default: no authentication.
   */
  rootPassword?: string;
}

/** The loopback ports a member listens on. */
export interface EtcdPorts {
  client: number;
  peer: number;
}

/** Starts etcd; resolves once `/health` says it is healthy. */
export async function startEtcd(options: EtcdOptions = {}): Promise<RunningService> {
  const { readyTimeoutMs = 30_000, stopGraceMs = 5_000 } = options;
  const [clientPort, peerPort] = options.ports === undefined
    ? freePorts(2)
    : [options.ports.client, options.ports.peer];
  const { tls } = options;
  const listen = `${tls === undefined ? "http" : "https"}://127.0.0.1:${clientPort}`;
  // Over TLS clients use the certificate's host name: Deno's TLS refuses an IP as server name.
  const client = tls === undefined ? listen : `https://localhost:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dir = await Deno.makeTempDir({ prefix: "retune-etcd-" });
  const http = tls === undefined
    ? undefined
    : Deno.createHttpClient({ caCerts: [await Deno.readTextFile(tls.ca)] });
  const service = await launchService({
    name: "etcd",
    command: "etcd",
    args: [
      "--name=default",
      `--data-dir=${options.dataDir ?? `${dir}/data`}`,
      `--listen-client-urls=${listen}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      "--logger=zap",
      "--log-outputs=stderr",
      ...(tls === undefined
        ? []
        : [`--cert-file=${tls.serverCert}`, `--key-file=${tls.serverKey}`]),
    ],
    debianPackage: "etcd-server",
    dir,
    endpoints: client,
    answers: () => healthy(client, http),
    readyTimeoutMs,
    stopGraceMs,
    // etcd takes ETCD_* variables for flags and refuses to start when one repeats a flag given.
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  }).finally(() => http?.close());
  if (options.rootPassword !== undefined) {
    try {
      await enableAuth(client, options.rootPassword, tls);
    } catch (error) {
      await service.stop();
      throw error;
    }
  }
  return service;
}

/** Adds the user root (with the root role) and turns authentication on. */
async function enableAuth(endpoint: string, password: string, tls?: Certificates): Promise<void> {
  const client = new Etcd3({
    hosts: endpoint,
    credentials: tls === undefined
      ? undefined
      : { rootCertificate: Buffer.from(await Deno.readFile(tls.ca)) },
  });
  try {
    await (await client.user("root").create(password)).addRole("root");
    await client.auth.authEnable();
  } finally {
    client.close();
  }
}

async function healthy(url: string, client?: Deno.HttpClient): Promise<boolean> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000), client });
  const body = await response.json() as { health?: string };
  return response.ok && body.health === "true";
}

if (import.meta.main) await serveUntilSignalled(startEtcd);
