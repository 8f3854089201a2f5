/**
 * Campaigning until won: a campaign that fails because the registry cannot be reached is tried
 * again with backoff, so a role rides out an etcd restart without spending its restart budget.
 *
 * @module
 */

import type { Leadership, Registry } from "../registry/registry.ts";
import type { Logger } from "../logging/logger.ts";
import { classify } from "./runtime/failure.ts";

/** The election a role campaigns in (inside the deployment's registry namespace). */
export function electionOf(role: string): string {
  return `retune/${role}`;
}

/** First and longest pause between two failed campaigns, ms. */
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Campaigns for `role` (in its election, `electionOf(role)`) as `instance` until it wins; a
 * campaign that fails because the registry cannot be reached is tried again with backoff until
 * `signal` aborts.
 */
export async function campaignUntilWon(
  registry: Registry,
  role: string,
  instance: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<Leadership> {
  for (let attempt = 0;; attempt++) {
    try {
      return await registry.campaign(electionOf(role), instance, signal);
    } catch (error) {
      signal.throwIfAborted();
      // Refused credentials stay refused: the system stops with one line instead.
      if (classify(error).kind === "fatal") throw error;
      const pauseMs = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt);
      logger.warn(
        "campaign for {role} failed: {reason}; campaigning again in {pauseMs} ms",
        {
          role,
          reason: error instanceof Error ? error.message : String(error),
          pauseMs,
        },
      );
      await pause(pauseMs, signal);
    }
  }
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
