/**
 * A throwaway single-node Kafka 3.9 broker (KRaft, broker and controller in one JVM) on free
 * loopback ports, for development and tests. Its jars come from Maven Central through
 * `kafka/pom.xml` and are kept in `.cache/kafka/libs` (resolved again when the pom changes).
 *
 * As a command, `deno run -A scripts/services/kafka.ts` prints its bootstrap address and runs
 * until SIGINT or SIGTERM.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import type { Certificates } from "./certificates.ts";
import { freePorts } from "./free_port.ts";
import { builtOnce } from "./maven_build.ts";
import {
  launchService,
  type RunningService,
  runTool,
  serveUntilSignalled,
} from "./service_process.ts";

/** How to start the broker. */
export interface KafkaOptions {
  /** How long the broker may take to answer, ms. Default 90,000 (a cold JVM on a busy machine). */
  readyTimeoutMs?: number;
  /** How long stopping waits after SIGTERM before SIGKILL, ms. Default 10,000. */
  stopGraceMs?: number;
  /**
   * Where the broker keeps its data, kept when it stops (formatted on first use only), so a
   * later start with the same folder and ports is a restart of the same broker. Default: inside
   * its temporary folder.
   */
  dataDir?: string;
  /** The broker and controller ports. Default: free ones. */
  ports?: KafkaPorts;
  /**
   * Also listen with SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), once in plain text and once over
   * TLS with the server certificate of `certificates`, for these users (name to password), on
   * free ports. Default: the plain-text listener only.
   */
  secured?: { users: Record<string, string>; certificates: Certificates };
}

/** A running broker and, when secured, the addresses of its SASL listeners. */
export interface KafkaService extends RunningService {
  /** `host:port` of the SASL_PLAINTEXT and SASL_SSL listeners, when secured. */
  sasl?: { plaintext: string; ssl: string };
}

/** The loopback ports a broker listens on. */
export interface KafkaPorts {
  broker: number;
  controller: number;
}

const POM = fileURLToPath(new URL("./kafka/pom.xml", import.meta.url));
const TOOLS_POM = fileURLToPath(new URL("./kafka/tools-pom.xml", import.meta.url));
const LOG4J = pathToFileURL(fileURLToPath(new URL("./kafka/log4j.properties", import.meta.url)));
const CACHE = fileURLToPath(new URL("../../.cache/kafka", import.meta.url));
const LIBS = `${CACHE}/libs`;
const TOOLS = `${CACHE}/tools`;

/** Starts a broker with its data in a temporary folder; resolves once it answers metadata requests. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaService> {
  const { readyTimeoutMs = 90_000, stopGraceMs = 10_000, secured } = options;
  const libs = await ensureJars(POM, LIBS);
  const [brokerPort, controllerPort] = options.ports === undefined
    ? freePorts(2)
    : [options.ports.broker, options.ports.controller];
  const endpoints = `127.0.0.1:${brokerPort}`;
  const dir = await Deno.makeTempDir({ prefix: "retune-kafka-" });
  const java = ["-cp", `${libs}/*`, `-Dlog4j.configuration=${LOG4J.href}`];
  const dataDir = options.dataDir ?? `${dir}/data`;
  const saslPorts = secured === undefined ? [] : freePorts(2);
  const sasl = secured === undefined
    ? undefined
    : { plaintext: `127.0.0.1:${saslPorts[0]}`, ssl: `127.0.0.1:${saslPorts[1]}` };
  try {
    const properties = serverProperties(dataDir, brokerPort, controllerPort, sasl) +
      (secured === undefined ? "" : securedProperties(secured));
    await Deno.writeTextFile(`${dir}/server.properties`, properties);
    // A kept data folder is reused as it is: formatting it again would give it a new cluster id.
    if (!await formatted(dataDir)) {
      await runTool(
        "java",
        [
          ...java,
          "kafka.tools.StorageTool",
          "format",
          "-t",
          clusterId(),
          "-c",
          "server.properties",
          ...scramUsers(secured?.users ?? {}),
        ],
        "openjdk-17-jre-headless",
        { cwd: dir },
      );
    }
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const service = await launchService({
    name: "kafka",
    command: "java",
    args: ["-Xmx512m", ...java, "kafka.Kafka", "server.properties"],
    debianPackage: "openjdk-17-jre-headless",
    dir,
    endpoints,
    answers: () => answers(endpoints),
    readyTimeoutMs,
    stopGraceMs,
  });
  return Object.assign(service, { sasl });
}

const SCRAM = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

/** The storage tool's `--add-scram` arguments: SCRAM credentials exist before the broker starts. */
function scramUsers(users: Record<string, string>): string[] {
  return Object.entries(users).flatMap(([name, password]) =>
    SCRAM.flatMap((mechanism) => [
      "--add-scram",
      `${mechanism}=[name=${name},password=${password}]`,
    ])
  );
}

/** The broker's settings for its SASL listeners: mechanisms, users, certificates. */
function securedProperties(secured: NonNullable<KafkaOptions["secured"]>): string {
  const plainUsers = Object.entries(secured.users)
    .map(([name, password]) => `user_${name}="${password}"`).join(" ");
  const jaas = {
    plain: `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    scram: "org.apache.kafka.common.security.scram.ScramLoginModule required;",
  };
  const settings: Record<string, string> = {
    "sasl.enabled.mechanisms": ["PLAIN", ...SCRAM].join(","),
    "ssl.keystore.type": "PEM",
    "ssl.keystore.location": secured.certificates.serverKeyStore,
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": secured.certificates.ca,
  };
  for (const listener of ["sasl_plaintext", "sasl_ssl"]) {
    settings[`listener.name.${listener}.plain.sasl.jaas.config`] = jaas.plain;
    for (const mechanism of SCRAM) {
      settings[`listener.name.${listener}.${mechanism.toLowerCase()}.sasl.jaas.config`] =
        jaas.scram;
    }
  }
  return Object.entries(settings).map(([key, value]) => `${key}=${value}\n`).join("");
}

/** Whether a broker already formatted `dataDir` (it then holds its meta.properties). */
async function formatted(dataDir: string): Promise<boolean> {
  return await Deno.stat(`${dataDir}/meta.properties`).then(() => true, () => false);
}

/** The folder holding Kafka's perf tools and their class path, resolved once (see tools-pom.xml). */
export function ensureKafkaToolsJars(): Promise<string> {
  return ensureJars(TOOLS_POM, TOOLS);
}

/** `dir` holding the jars `pom` names, resolving them with Maven unless already cached there. */
function ensureJars(pom: string, dir: string): Promise<string> {
  return builtOnce(pom, dir, "resolving the Kafka jars", async (staging) => {
    await runTool("mvn", [
      "-B",
      "-q",
      "-f",
      pom,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${staging}`,
      "-DincludeScope=runtime",
    ], "maven");
    return staging;
  });
}

/**
 * A random cluster id as `kafka-storage random-uuid` makes it (16 random bytes, base64url, never
 * starting with `-`), made here to spare a JVM start.
 */
function clusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function serverProperties(
  dataDir: string,
  brokerPort: number,
  controllerPort: number,
  sasl?: KafkaService["sasl"],
): string {
  const clients = [
    `PLAINTEXT://127.0.0.1:${brokerPort}`,
    ...(sasl === undefined ? [] : [`SASL_PLAINTEXT://${sasl.plaintext}`, `SASL_SSL://${sasl.ssl}`]),
  ];
  const protocols = ["PLAINTEXT", "CONTROLLER:PLAINTEXT"];
  if (sasl !== undefined) protocols.push("SASL_PLAINTEXT", "SASL_SSL");
  const settings = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    "listeners": [...clients, `CONTROLLER://127.0.0.1:${controllerPort}`].join(","),
    "advertised.listeners": clients.join(","),
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": protocols
      .map((p) => p.includes(":") ? p : `${p}:${p}`).join(","),
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": dataDir,
    "offsets.topic.replication.factor": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    // Tests start consumer groups often and should not wait for stragglers to join.
    "group.initial.rebalance.delay.ms": 0,
    "auto.create.topics.enable": true,
    "num.partitions": 1,
  };
  return Object.entries(settings).map(([key, value]) => `${key}=${value}\n`).join("");
}

/** True once the broker serves a metadata request (it does only after joining its quorum). */
async function answers(endpoints: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "retune-services",
    brokers: [endpoints],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } finally {
    await admin.disconnect();
  }
}

if (import.meta.main) await serveUntilSignalled(startKafka);
