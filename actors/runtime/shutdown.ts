/**
 * Graceful shutdown on SIGINT and SIGTERM: run the shutdown steps in order under a deadline,
 * then exit; a second signal exits at once. A terminal's Ctrl-C reaches every process of its
 * group (`deno task` and the deno it runs, which forwards it), so the same signal again within
 * `duplicateWindowMs` is the same request, not a second one. The usual steps are "stop the supervisors" (each
 * actor stops intake, lets its in-flight batch finish and commits its offsets) followed by
 * "close the clients" (transports, registry), so nothing is closed under a running handler.
 *
 * @module
 */

import { defaultLogger, type Logger } from "../../logging/logger.ts";

/** One named step of the shutdown sequence. */
export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/** How the sequence is bounded and reported. */
export interface ShutdownOptions {
  /** Time the whole sequence may take, ms. */
  deadlineMs: number;
  logger?: Logger;
}

/** The sequence did not finish before its deadline. */
export class ShutdownTimeoutError extends Error {
  /** The step that was still running. */
  readonly step: string;

  /** Names the step in progress and the deadline. */
  constructor(step: string, deadlineMs: number) {
    super(`shutdown did not finish within ${deadlineMs} ms: step '${step}' was still running`);
    this.name = "ShutdownTimeoutError";
    this.step = step;
  }
}

/**
 * Runs the steps in order. A failing step is logged and the next still runs (clients get closed
 * even if draining failed); the first failure is rethrown at the end. Past the deadline it
 * rejects with a `ShutdownTimeoutError` without starting further steps.
 */
export async function runShutdown(steps: ShutdownStep[], options: ShutdownOptions): Promise<void> {
  const { deadlineMs, logger = defaultLogger() } = options;
  requireDeadline(deadlineMs);
  let current = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ShutdownTimeoutError(current, deadlineMs)), deadlineMs);
  });
  const sequence = async () => {
    const failures: unknown[] = [];
    for (const step of steps) {
      current = step.name;
      logger.info("shutdown: {step}", { step: step.name });
      try {
        await step.run();
      } catch (error) {
        logger.error("shutdown step {step} failed: {error}", { step: step.name, error });
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  };
  try {
    await Promise.race([sequence(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of `installShutdown`. */
export interface InstallShutdownOptions extends ShutdownOptions {
  /** Ends the process. Default `Deno.exit`; injectable for tests. */
  exit?: (code: number) => void;
  /** The same signal again within this many ms is a duplicate, ignored. Default 300. */
  duplicateWindowMs?: number;
}

/** A shutdown waiting for its signal. */
export interface ShutdownHandle {
  /** Resolves with the signal's name once the first signal arrived. */
  readonly requested: Promise<Deno.Signal>;
  /** Removes the signal listeners again. */
  dispose(): void;
}

const signalNumbers = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * On the first SIGINT or SIGTERM runs the steps (see `runShutdown`) and exits 0, or 1 when a step
 * failed or the deadline passed; a second signal (not a duplicate) exits at once with 128 + the
 * signal number.
 */
export function installShutdown(
  steps: ShutdownStep[],
  options: InstallShutdownOptions,
): ShutdownHandle {
  const { exit = Deno.exit, logger = defaultLogger(), duplicateWindowMs = 300 } = options;
  requireDeadline(options.deadlineMs);
  if (!(Number.isFinite(duplicateWindowMs) && duplicateWindowMs >= 0)) {
    throw new RangeError(
      `duplicateWindowMs must be a number >= 0: current value is ${duplicateWindowMs}`,
    );
  }
  const requested = Promise.withResolvers<Deno.Signal>();
  let first: { signal: string; at: number } | undefined;
  const listeners = Object.entries(signalNumbers).map(([signal, number]) => {
    const listener = () => {
      const now = performance.now();
      if (first !== undefined) {
        if (first.signal === signal && now - first.at < duplicateWindowMs) return;
        logger.warn("second {signal}: exiting without finishing shutdown", { signal });
        exit(128 + number);
        return;
      }
      first = { signal, at: now };
      requested.resolve(signal as Deno.Signal);
      logger.info("{signal} received: shutting down", { signal });
      runShutdown(steps, { ...options, logger }).then(
        () => exit(0),
        (error) => {
          logger.error("shutdown incomplete: {error}", { error });
          exit(1);
        },
      );
    };
    Deno.addSignalListener(signal as Deno.Signal, listener);
    return [signal as Deno.Signal, listener] as const;
  });
  return {
    requested: requested.promise,
    dispose() {
      for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    },
  };
}

function requireDeadline(deadlineMs: number): void {
  if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
    throw new RangeError(`deadlineMs must be a positive number: current value is ${deadlineMs}`);
  }
}
