/**
 * `deno task services`: Kafka (KRaft) and etcd for a local deployment, in the foreground, on
 * fixed loopback ports, with their data kept under `.retune/services/` between runs. Ctrl-C
 * (SIGINT) or SIGTERM stops both; a second signal kills them at once.
 *
 * The ports follow the variables the roles read, so one setting moves both sides:
 * `RETUNE_KAFKA_BROKERS=127.0.0.1:<port>` (controller on the next port) and
 * `RETUNE_ETCD_ENDPOINTS=http://127.0.0.1:<port>` (peer on the next port).
 * `RETUNE_SERVICES_DIR` moves the data folder.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { startEtcd } from "./services/etcd.ts";
import { startKafka } from "./services/kafka.ts";
import type { RunningService } from "./services/service_process.ts";

/** Where the services listen and keep their data. */
export interface ServicesPlan {
  kafkaPort: number;
  etcdPort: number;
  dataDir: string;
}

/** The default Kafka broker port (its controller listens on the next one). */
export const KAFKA_PORT = 9092;
/** The default etcd client port (its peer listens on the next one). */
export const ETCD_PORT = 2379;
/** The default data folder, under the working directory. */
export const DATA_DIR = ".retune/services";

/** The plan the environment asks for; a variable naming anything but a loopback port is refused. */
export function servicesPlan(env: Record<string, string | undefined>): ServicesPlan {
  return {
    kafkaPort: loopbackPort(env, "RETUNE_KAFKA_BROKERS", /^127\.0\.0\.1:(\d{1,5})$/, KAFKA_PORT),
    etcdPort: loopbackPort(
      env,
      "RETUNE_ETCD_ENDPOINTS",
      /^http:\/\/127\.0\.0\.1:(\d{1,5})\/?$/,
      ETCD_PORT,
    ),
    dataDir: (env.RETUNE_SERVICES_DIR ?? "").trim() || DATA_DIR,
  };
}

function loopbackPort(
  env: Record<string, string | undefined>,
  name: string,
  form: RegExp,
  fallback: number,
): number {
  const value = (env[name] ?? "").trim();
  if (value === "") return fallback;
  const port = Number(form.exec(value)?.[1]);
  if (!(port >= 1 && port < 65535)) {
    throw new RangeError(
      `${name} must name one loopback address with a port below 65535 for deno task services ` +
        `(e.g. ${
          name === "RETUNE_KAFKA_BROKERS" ? "127.0.0.1:19092" : "http://127.0.0.1:12379"
        }): ` +
        `current value is '${value}'`,
    );
  }
  return port;
}

/** The help text. */
export function usage(): string {
  return `Usage: deno task services

Runs Kafka (KRaft) and etcd in the foreground for a local Retune deployment:
  Kafka  127.0.0.1:${KAFKA_PORT} (controller ${KAFKA_PORT + 1})
  etcd   http://127.0.0.1:${ETCD_PORT} (peer ${ETCD_PORT + 1})
their data kept under ${DATA_DIR}/ between runs. Ctrl-C stops both.
deploy/examples/kafka.yaml points at these addresses.

Environment (the roles read the first two too, so one setting moves both sides):
  RETUNE_KAFKA_BROKERS=127.0.0.1:<port>          Kafka's port (controller on the next one)
  RETUNE_ETCD_ENDPOINTS=http://127.0.0.1:<port>  etcd's port (peer on the next one)
  RETUNE_SERVICES_DIR=<folder>                   where the data is kept

Needs Java 17 and Maven (Kafka's jars, fetched once into .cache/kafka) and etcd (Debian's
etcd-server).`;
}

/** Throws naming the variable to set when a port is already taken. */
function assertFree(port: number, what: string, variable: string): void {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new Error(
      `port ${port} (${what}) is in use: stop what holds it, or set ${variable} to another ` +
        `port here and in the roles' terminals`,
    );
  }
}

async function main(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({ args, options: { help: { type: "boolean", short: "h" } } });
    if (values.help) {
      console.log(usage());
      return 0;
    }
  } catch (error) {
    console.error(`services: ${(error as Error).message} (see --help)`);
    return 2;
  }
  let plan: ServicesPlan;
  try {
    plan = servicesPlan(Deno.env.toObject());
    assertFree(plan.kafkaPort, "Kafka", "RETUNE_KAFKA_BROKERS");
    assertFree(plan.kafkaPort + 1, "Kafka's controller", "RETUNE_KAFKA_BROKERS");
    assertFree(plan.etcdPort, "etcd", "RETUNE_ETCD_ENDPOINTS");
    assertFree(plan.etcdPort + 1, "etcd's peer", "RETUNE_ETCD_ENDPOINTS");
    await Deno.mkdir(plan.dataDir, { recursive: true });
  } catch (error) {
    console.error(`services: ${(error as Error).message}`);
    return 1;
  }
  const kafkaData = join(plan.dataDir, "kafka");
  const etcdData = join(plan.dataDir, "etcd");
  const started = await Promise.allSettled([
    startKafka({
      dataDir: kafkaData,
      ports: { broker: plan.kafkaPort, controller: plan.kafkaPort + 1 },
    }),
    startEtcd({ dataDir: etcdData, ports: { client: plan.etcdPort, peer: plan.etcdPort + 1 } }),
  ]);
  const services = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  const failed = started.flatMap((s) => s.status === "rejected" ? [s.reason as Error] : []);
  if (failed.length > 0) {
    await Promise.all(services.map((service) => service.stop()));
    for (const error of failed) console.error(`services: ${error.message}`);
    return 1;
  }
  const [kafka, etcd] = services as [RunningService, RunningService];
  console.log(`kafka ${kafka.endpoints} (data ${kafkaData})`);
  console.log(`etcd ${etcd.endpoints} (data ${etcdData})`);
  console.log("services ready; Ctrl-C stops both");
  return await untilSignalled(services);
}

const DUPLICATE_SIGNAL_MS = 300;

/** Serves until SIGINT or SIGTERM, then stops the services; a second signal kills them. */
function untilSignalled(services: RunningService[]): Promise<number> {
  const done = Promise.withResolvers<number>();
  let stoppingSince: number | null = null;
  const onSignal = () => {
    // A terminal's Ctrl-C may reach this process twice within moments: that counts once.
    if (stoppingSince !== null && Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
    if (stoppingSince !== null) {
      for (const service of services) service.kill();
      done.resolve(1);
      return;
    }
    stoppingSince = Date.now();
    console.log("stopping kafka and etcd (their data stays)");
    Promise.all(services.map((service) => service.stop())).then(
      () => done.resolve(0),
      (error) => {
        console.error(`services: ${(error as Error).message}`);
        done.resolve(1);
      },
    );
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  return done.promise;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
