/**
 * What a failure means to a supervisor, modelled on kafkajs's `retriable` flag (kafkajs and etcd3
 * errors are known by their names): a retriable
 * failure (a broker or etcd unreachable, leadership lost) is worth a restart after a backoff; a
 * fatal one (a bad configuration, refused credentials) will fail the same way however often it is
 * retried, so the system stops with one clear line. Anything else is a crash: restarted like a
 * retriable failure (as OTP does), but a record that caused it is dead-lettered, not redelivered.
 *
 * @module
 */

import { ConfigError } from "../../config/config_error.ts";

/** The infrastructure a failure came from, to say where to look. */
export type Service = "kafka" | "etcd" | "schema-registry" | "storage";

/** A failure that may go away: restart with backoff and try again. */
export class RetriableError extends Error {
  override readonly name: string = "RetriableError";
  /** The infrastructure that failed, when known. */
  readonly service: Service | undefined;

  /** `service` names what was unreachable. */
  constructor(message: string, options: { cause?: unknown; service?: Service } = {}) {
    super(message, { cause: options.cause });
    this.service = options.service;
  }
}

/** A failure no retry can fix (bad configuration, refused credentials): stop the system. */
export class FatalError extends Error {
  override readonly name: string = "FatalError";
  /** The infrastructure that refused, when known. */
  readonly service: Service | undefined;

  /** `service` names what refused. */
  constructor(message: string, options: { cause?: unknown; service?: Service } = {}) {
    super(message, { cause: options.cause });
    this.service = options.service;
  }
}

/** The leader of a role lost its leadership; a restart campaigns again. */
export class LeadershipLostError extends RetriableError {
  override readonly name = "LeadershipLostError";

  /** Names the role and, when known, why the leadership ended. */
  constructor(role: string, reason?: unknown) {
    super(
      reason === undefined
        ? `lost ${role} leadership`
        : `lost ${role} leadership: ${String(reason)}`,
      { service: "etcd" },
    );
  }
}

/** How a supervisor treats a failure; `service` says which infrastructure it came from. */
export interface Classification {
  kind: "retriable" | "fatal" | "crash";
  service: Service | undefined;
}

/** Classifies a failure, looking through causes and escalations to the error that started it. */
export function classify(error: unknown): Classification {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    const found = classifyOne(current);
    if (found !== undefined) return found;
    current = current.cause;
  }
  return { kind: "crash", service: undefined };
}

// The clients' error classes are recognised by name, not imported: loading kafkajs or etcd3 reads
// the environment, which a role's workers may not.
const ETCD_REFUSALS = new Set([
  "EtcdAuthenticationFailedError",
  "EtcdInvalidAuthTokenError",
  "EtcdPermissionDeniedError",
  "GRPCUnauthenticatedError",
]);

/** @platformatic/kafka's codes for mistakes that retrying repeats (its own `canRetry: false`). */
const PLATFORMATIC_FATAL = new Set([
  "PLT_KFK_AUTHENTICATION",
  "PLT_KFK_UNSUPPORTED",
  "PLT_KFK_UNSUPPORTED_API",
  "PLT_KFK_UNSUPPORTED_COMPRESSION",
  "PLT_KFK_UNSUPPORTED_FORMAT",
  "PLT_KFK_USER",
]);

/** Broker answers that refuse this client's credentials or rights. */
const KAFKA_REFUSED_API_IDS = new Set([
  "SASL_AUTHENTICATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "TOPIC_AUTHORIZATION_FAILED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
]);

function isKafkaRefusal(error: Error): boolean {
  const { code, apiId } = error as { code?: unknown; apiId?: unknown };
  return code === "PLT_KFK_AUTHENTICATION" ||
    (typeof apiId === "string" && KAFKA_REFUSED_API_IDS.has(apiId));
}

/**
 * Broker answers refusing records for their size or form: sending them again fails again, so the
 * batch that made them is at fault, as a handler's crash on a record is.
 */
const KAFKA_RECORD_REFUSALS = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
]);

/** Whether `error` is a broker's refusal of records (platformatic's `apiId`, kafkajs's `type`). */
function isRecordRefusal(error: Error): boolean {
  const { apiId, type } = error as { apiId?: unknown; type?: unknown };
  return KAFKA_RECORD_REFUSALS.has(String(apiId)) || KAFKA_RECORD_REFUSALS.has(String(type));
}

/** Whether `error`, its causes or (for an aggregate) its errors satisfy `test`. */
function anyInTree(error: unknown, test: (error: Error) => boolean, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 8) return false;
  if (test(error)) return true;
  // kafkajs's aggregates are no AggregateError, but list their errors alike.
  const listed = (error as { errors?: unknown }).errors;
  const nested = Array.isArray(listed) ? listed : [];
  return [error.cause, ...nested].some((inner) => anyInTree(inner, test, depth + 1));
}

function classifyOne(error: Error): Classification | undefined {
  if (error instanceof RetriableError) return { kind: "retriable", service: error.service };
  if (error instanceof FatalError) return { kind: "fatal", service: error.service };
  if (error instanceof ConfigError) return { kind: "fatal", service: undefined };
  // A permission the role was not granted stays refused however often it is retried.
  if (error instanceof Deno.errors.NotCapable) return { kind: "fatal", service: undefined };
  // The mailbox then isolates the batch's records and dead-letters the one at fault.
  if (anyInTree(error, isRecordRefusal)) return { kind: "crash", service: "kafka" };
  const retriable = (error as { retriable?: unknown }).retriable;
  if (error.name.startsWith("KafkaJS") && typeof retriable === "boolean") {
    // Running out of retries on an unreachable broker is still an outage.
    if (error.name === "KafkaJSNumberOfRetriesExceeded" || error.name === "KafkaJSTimeout") {
      return { kind: "retriable", service: "kafka" };
    }
    return { kind: retriable ? "retriable" : "fatal", service: "kafka" };
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("PLT_KFK_")) {
    // @platformatic/kafka nests a refused login deep inside "cannot connect" aggregates.
    if (anyInTree(error, isKafkaRefusal)) return { kind: "fatal", service: "kafka" };
    return { kind: PLATFORMATIC_FATAL.has(code) ? "fatal" : "retriable", service: "kafka" };
  }
  // transport/platformatic_kafka.ts: a client that lost an answer; a new member starts afresh.
  if (error.name === "KafkaCallStalledError") return { kind: "retriable", service: "kafka" };
  // protocol/schema_registry_client.ts and protocol/schema_registration.ts.
  if (error.name === "SchemaRegistryUnavailableError") {
    return { kind: "retriable", service: "schema-registry" };
  }
  if (error.name === "SchemaRefusedError") return { kind: "fatal", service: "schema-registry" };
  // storage/s3_objects.ts: an object store down or failing is an outage, a refusal is not.
  if (error.name === "ObjectStoreUnavailableError") {
    return { kind: "retriable", service: "storage" };
  }
  if (error.name === "ObjectStoreRefusedError") return { kind: "fatal", service: "storage" };
  const type = error.constructor.name;
  if (ETCD_REFUSALS.has(type)) return { kind: "fatal", service: "etcd" };
  // etcd3 marks unreachable hosts recoverable; its circuit breaker then refuses calls for a while.
  if (
    hasSymbol(error, "RecoverableError") || type === "ClientClosedError" ||
    (error as { isBrokenCircuitError?: boolean }).isBrokenCircuitError === true ||
    type.startsWith("GRPC")
  ) {
    return { kind: "retriable", service: "etcd" };
  }
  if (error instanceof Deno.errors.ConnectionRefused || error instanceof Deno.errors.TimedOut) {
    return { kind: "retriable", service: undefined };
  }
  return undefined;
}

/** Whether `value` or its prototypes carry a symbol-keyed mark with this description. */
function hasSymbol(value: object, description: string): boolean {
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.getOwnPropertySymbols(o).some((symbol) => symbol.description === description)) {
      return true;
    }
  }
  return false;
}

/**
 * The message of an error and of its causes, one clause each; an aggregate (such as a client's
 * "cannot connect to any broker") continues with its first error, where the root cause is.
 */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 8; depth++) {
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const { message } = current;
    if (message !== "" && !parts.some((part) => part.includes(message))) parts.push(message);
    const server = (current as { serverErrorMessage?: unknown }).serverErrorMessage;
    if (typeof server === "string" && server !== "" && !parts.includes(server)) parts.push(server);
    current = current.cause ??
      (current instanceof AggregateError ? current.errors.find((e) => e !== undefined) : undefined);
  }
  return parts.join(": ");
}
