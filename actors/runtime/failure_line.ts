/**
 * The one line a process prints when a failure ends it: what failed, where (the endpoints the
 * configuration names) and what to do. The stack and the chain of causes are for `--log-level=debug`.
 *
 * @module
 */

import { classify, describeFailure } from "./failure.ts";
import { EscalationError } from "./supervisor.ts";

/** Where the process was told to find its infrastructure. */
export interface Endpoints {
  kafka: readonly string[] | undefined;
  etcd: readonly string[] | undefined;
}

/** One line about `error`, without a line break, naming the endpoints it concerns. */
export function failureLine(error: unknown, where: Endpoints): string {
  const { kind, service } = classify(error);
  const who = error instanceof EscalationError ? `role '${error.child}' stopped: ` : "";
  const cause = describeFailure(error instanceof EscalationError ? error.cause : error);
  let line: string;
  if (service === "kafka") {
    const at = where.kafka?.join(", ") ?? "the configured brokers";
    line = kind === "fatal"
      ? `${who}Kafka at ${at} refused the client (${cause}); check kafka.ssl and kafka.sasl`
      : `${who}cannot reach Kafka at ${at} (${cause}); start the broker or fix kafka.brokers ` +
        `(or RETUNE_KAFKA_BROKERS)`;
  } else if (service === "etcd") {
    const at = where.etcd?.join(", ") ?? "the configured endpoints";
    line = kind === "fatal"
      ? `${who}etcd at ${at} refused the client (${cause}); check etcd.auth and etcd.tls`
      : `${who}cannot reach etcd at ${at} (${cause}); start etcd or fix etcd.endpoints ` +
        `(or RETUNE_ETCD_ENDPOINTS)`;
  } else if (service === "storage") {
    line = kind === "fatal"
      ? `${who}${cause}; check storage.s3's credentials (accessKeyId, secretAccessKey)`
      : `${who}${cause}; start the object store or fix storage.s3.endpoint`;
  } else if (service === "schema-registry") {
    line = kind === "fatal"
      ? `${who}${cause}`
      : `${who}cannot reach the schema registry (${cause}); start it or fix schemaRegistry.url`;
  } else if (kind === "fatal") {
    line = `${who}${cause}; fix the configuration`;
  } else {
    line = `${who}${cause}`;
  }
  return `${line.replace(/\s+/g, " ")} (--log-level=debug shows the detail)`;
}
