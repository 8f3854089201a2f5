/**
 * The security options of the Kafka and etcd clients, built from the configuration: secrets read
 * (`config/secrets.ts`) and TLS files (PEM) loaded. Errors name the key and the file, never a
 * secret.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { KafkaConfig as KafkajsConfig, SASLOptions } from "kafkajs";
import { ConfigError } from "./config_error.ts";
import { type EnvLookup, readSecret } from "./secrets.ts";
import type { EtcdConfig, KafkaConfig } from "./schema.ts";

/** Where the secrets come from, and what errors name as the origin. */
export interface SecurityOptions {
  env?: EnvLookup;
  origin?: string;
}

/** kafkajs's `ssl` and `sasl` options for `kafka`. */
export function kafkaSecurity(
  kafka: KafkaConfig,
  options: SecurityOptions = {},
): Pick<KafkajsConfig, "ssl" | "sasl"> {
  const { ssl, sasl } = kafka;
  const origin = options.origin ?? "configuration";
  const tls = typeof ssl === "object"
    ? {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...pem("kafka.ssl", ssl, origin, (bytes) => bytes.toString("utf8")),
    }
    : ssl;
  if (sasl === undefined) return { ssl: tls };
  const username = readSecret({ key: "kafka.sasl.username", value: sasl.username }, options);
  const password = readSecret({ key: "kafka.sasl.password", value: sasl.password }, options);
  // kafkajs types each mechanism apart; the three take the same fields.
  return { ssl: tls, sasl: { mechanism: sasl.mechanism, username, password } as SASLOptions };
}

/** etcd3's `auth` and `credentials` options for `etcd`. */
export function etcdSecurity(etcd: EtcdConfig, options: SecurityOptions = {}): EtcdSecurity {
  const origin = options.origin ?? "configuration";
  const security: EtcdSecurity = {};
  if (etcd.auth !== undefined) {
    security.auth = {
      username: readSecret({ key: "etcd.auth.username", value: etcd.auth.username }, options),
      password: readSecret({ key: "etcd.auth.password", value: etcd.auth.password }, options),
    };
  }
  if (etcd.tls !== undefined) {
    const files = pem("etcd.tls", etcd.tls, origin, (bytes) => bytes);
    security.credentials = {
      // etcd3 needs a root certificate for TLS; none configured means the system's roots.
      rootCertificate: files.ca ?? Buffer.alloc(0),
      privateKey: files.key,
      certChain: files.cert,
    };
  }
  return security;
}

/** etcd3's security options. */
export interface EtcdSecurity {
  auth?: { username: string; password: string };
  credentials?: { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer };
}

/** Reads the PEM files `ca`, `cert`, `key` of the TLS section at `key`. */
function pem<T>(
  key: string,
  files: { ca?: string; cert?: string; key?: string },
  origin: string,
  as: (bytes: Buffer) => T,
): { ca?: T; cert?: T; key?: T } {
  const read: { ca?: T; cert?: T; key?: T } = {};
  for (const name of ["ca", "cert", "key"] as const) {
    const path = files[name];
    if (path === undefined) continue;
    try {
      read[name] = as(Buffer.from(Deno.readFileSync(path)));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(origin, [
        `${origin}: ${key}.${name}: cannot read '${path}': ${reason}`,
      ]);
    }
  }
  return read;
}
