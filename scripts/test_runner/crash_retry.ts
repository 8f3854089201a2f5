/**
 * A deno test run that the runtime itself crashed is made once more. Deno 2.9.6's node:http2
 * crashes the process now and then (SIGSEGV in a tokio worker) when gRPC streams are cut, which
 * a test of an etcd outage does on purpose; such a run printed no summary line and ended with
 * the SIGSEGV exit code. A run that failed any other way is final.
 *
 * @module
 */

/** Exit code of a process the runtime's SIGSEGV ended (128 + 11). */
export const SEGV_EXIT = 139;

/** How one deno test run ended: its summary line's counts, if it printed one, and exit code. */
export interface RunOutcome<S> {
  summary: S | undefined;
  code: number;
}

/** Whether `outcome` is the runtime's crash rather than a test's failure. */
export function crashed<S>(outcome: RunOutcome<S>): boolean {
  return outcome.summary === undefined && outcome.code === SEGV_EXIT;
}

/**
 * Makes `run` and, when the runtime crashed in it and `mayRetry()` still holds (no signal came
 * in meanwhile), makes it once more after calling `onRetry`; the last run's outcome.
 */
export async function runRetryingCrash<S>(
  run: () => Promise<RunOutcome<S>>,
  mayRetry: () => boolean,
  onRetry: () => void,
): Promise<RunOutcome<S>> {
  const first = await run();
  if (!crashed(first) || !mayRetry()) return first;
  onRetry();
  return await run();
}
