/**
 * The chaos run's etcd: one member whose data folder and ports outlive its process, so killing
 * it (SIGKILL) and starting it again is a restart of the same member at the same endpoint.
 *
 * @module
 */

import { freePorts } from "../services/free_port.ts";
import { type EtcdPorts, startEtcd } from "../services/etcd.ts";
import type { RunningService } from "../services/service_process.ts";

/** An etcd member that can be killed and restarted. */
export class EtcdMember {
  readonly dataDir: string;
  readonly ports: EtcdPorts;
  #service: RunningService;

  private constructor(dataDir: string, ports: EtcdPorts, service: RunningService) {
    this.dataDir = dataDir;
    this.ports = ports;
    this.#service = service;
  }

  /** Starts a member keeping its data in `dataDir`. */
  static async start(dataDir: string): Promise<EtcdMember> {
    const [client, peer] = freePorts(2);
    const ports = { client, peer };
    return new EtcdMember(dataDir, ports, await startEtcd({ dataDir, ports }));
  }

  /** Where clients reach it. */
  get endpoints(): string {
    return this.#service.endpoints;
  }

  /** Kills the process at once (SIGKILL), keeping its data. */
  async kill(): Promise<void> {
    Deno.kill(this.#service.pid, "SIGKILL");
    // Reaps the process and removes its log folder; the data folder is elsewhere and stays.
    await this.#service.stop();
  }

  /** Starts it again on the same ports and data; resolves once it is healthy. */
  async restart(): Promise<void> {
    this.#service = await startEtcd({ dataDir: this.dataDir, ports: this.ports });
  }

  /** Kills it at once, for exit handlers that cannot wait; the data folder stays. */
  killNow(): void {
    this.#service.kill();
  }

  /** Stops it for good. */
  async stop(): Promise<void> {
    await this.#service.stop();
  }
}
