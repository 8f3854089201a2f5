/**
 * An etcd3 client set up to ride out etcd outages: every unary call has a deadline and a bounded
 * retry with backoff, and there is no circuit breaker (etcd3's default breaker kept failing
 * calls with BrokenCircuitError long after an etcd restart). A call that still fails rejects, and
 * its caller decides (a role crashes and is restarted). Watches come back within a second.
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import { Etcd3, isRecoverableError } from "etcd3";
import { ExponentialBackoff, handleWhen, noop, retry } from "cockatiel";

/** Where etcd is and how calls ride out outages. */
export interface EtcdClientOptions {
  /** etcd endpoints, e.g. `["http://127.0.0.1:2379"]`. */
  endpoints: string[];
  /** Deadline of one etcd call (each attempt), ms. Default 5,000. */
  callTimeoutMs?: number;
  /** Attempts of a call that failed for a recoverable reason (etcd unreachable). Default 3. */
  callAttempts?: number;
  /** User name and password, when etcd has authentication enabled. */
  auth?: { username: string; password: string };
  /** TLS: the CA to trust (empty: the system's roots) and a client certificate with its key. */
  credentials?: { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer };
}

/** A client on `endpoints`; rejects bad options by name. */
export function etcdClient(options: EtcdClientOptions): Etcd3 {
  const { endpoints, callTimeoutMs = 5_000, callAttempts = 3 } = options;
  if (endpoints.length === 0) {
    throw new RangeError(`endpoints must name at least one etcd endpoint: current value is []`);
  }
  if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < 1) {
    throw new RangeError(
      `callTimeoutMs must be an integer >= 1: current value is ${callTimeoutMs}`,
    );
  }
  if (!Number.isInteger(callAttempts) || callAttempts < 1) {
    throw new RangeError(`callAttempts must be an integer >= 1: current value is ${callAttempts}`);
  }
  return new Etcd3({
    hosts: endpoints,
    auth: options.auth,
    credentials: options.credentials,
    dialTimeout: callTimeoutMs,
    // Streams (watches, keep-alives) live on; every other call gets a deadline.
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + callTimeoutMs },
    faultHandling: {
      host: () => noop,
      global: retry(handleWhen(isRecoverableError), {
        maxAttempts: callAttempts - 1,
        backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 2_000 }),
      }),
      // Elections wait on watches: a watch cut by an outage must come back within a second.
      // etcd3 calls next() on this for the first delay, so it takes a backoff, not a factory.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }).next(),
    },
  });
}
