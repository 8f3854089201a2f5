/**
 * A throwaway single-member etcd (Debian's `etcd`, package etcd-server, v3.4) on free loopback
 * ports, for development and tests.
 *
 * As a command, `deno run -A scripts/services/etcd.ts` prints its endpoint and runs until
 * SIGINT or SIGTERM.
 *
 * @module
 */

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
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dir = await Deno.makeTempDir({ prefix: "retune-etcd-" });
  return launchService({
    name: "etcd",
    command: "etcd",
    args: [
      "--name=default",
      `--data-dir=${options.dataDir ?? `${dir}/data`}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      "--logger=zap",
      "--log-outputs=stderr",
    ],
    debianPackage: "etcd-server",
    dir,
    endpoints: client,
    answers: () => healthy(client),
    readyTimeoutMs,
    stopGraceMs,
    // etcd takes ETCD_* variables for flags and refuses to start when one repeats a flag given.
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  });
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
  const body = await response.json() as { health?: string };
  return response.ok && body.health === "true";
}

if (import.meta.main) await serveUntilSignalled(startEtcd);
