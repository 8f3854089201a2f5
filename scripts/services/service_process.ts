/**
 * A local service (Kafka, etcd) run as a child process for development and tests: started in a
 * temporary folder of its own, probed until it really answers, and stopped gently then firmly,
 * taking its folder with it. Also runs the one-shot tools services need, naming the Debian
 * package to install when one is missing, and serves a service from the command line.
 *
 * @module
 */

/** A service process that answers at `endpoints`. */
export interface RunningService {
  /** How clients reach it, e.g. `127.0.0.1:9092` or `http://127.0.0.1:2379`. */
  endpoints: string;
  /** Its temporary folder (data and log); removed when it stops. */
  dir: string;
  /** Ends it (SIGTERM, then SIGKILL after a grace period), keeping its folder; idempotent. */
  halt(): Promise<void>;
  /** Its process id, for signals from outside (e.g. SIGSTOP / SIGCONT in the chaos suite). */
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL after a grace period) and removes its folder; idempotent. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL) and removes its folder, for exit handlers that cannot wait. */
  kill(): void;
}

/** What to start and how to tell that it answers. */
export interface ServiceLaunch {
  /** Name used in messages and for the log file, e.g. `kafka`. */
  name: string;
  command: string;
  args: string[];
  /** Debian package that provides `command`. */
  debianPackage: string;
  /** A folder the service owns from now on; removed when it stops or fails to start. */
  dir: string;
  endpoints: string;
  /** Resolves true once the service answers; must give up by itself within a second or two. */
  answers(): Promise<boolean>;
  /** How long the service may take to answer, ms. */
  readyTimeoutMs: number;
  /** How long `stop` waits after SIGTERM before SIGKILL, ms. */
  stopGraceMs: number;
  /** The child's whole environment, when it must not inherit ours. */
  env?: Record<string, string>;
}

const PROBE_INTERVAL_MS = 200;
const LOG_TAIL_LINES = 30;

/**
 * Runs a service from the command line: starts it, prints its endpoints, and stops it (then
 * exits) on SIGINT or SIGTERM.
 */
export async function serveUntilSignalled(start: () => Promise<RunningService>): Promise<void> {
  const service = await start();
  const stop = () => service.stop().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  // Printed last: whoever reads the endpoint may signal at once, and must find the listeners.
  console.log(service.endpoints);
}

/** Starts the service and resolves once it answers; on failure it is gone and the error says why. */
export async function launchService(launch: ServiceLaunch): Promise<RunningService> {
  const log = `${launch.dir}/${launch.name}.log`;
  let child: Deno.ChildProcess;
  try {
    for (const field of ["readyTimeoutMs", "stopGraceMs"] as const) {
      if (!(launch[field] > 0)) {
        throw new RangeError(`${field} must be positive: current value is ${launch[field]}`);
      }
    }
    child = new Deno.Command(launch.command, {
      args: launch.args,
      cwd: launch.dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(launch.env === undefined ? {} : { env: launch.env, clearEnv: true }),
    }).spawn();
  } catch (error) {
    await Deno.remove(launch.dir, { recursive: true });
    throw error instanceof Deno.errors.NotFound
      ? missingTool(launch.command, launch.debianPackage)
      : error;
  }
  const { logged } = await logTo(log, child);
  const service = new ServiceProcess(launch, child, logged);
  try {
    await service.awaitAnswer();
    return service;
  } catch (error) {
    await service.halt();
    const tail = await logTail(log);
    await service.stop();
    throw new Error(`${(error as Error).message}; last lines of its log:\n${tail}`);
  }
}

/**
 * Runs a tool to completion (with `env` added to ours) and returns its output; a failure carries
 * the output.
 */
export async function runTool(
  command: string,
  args: string[],
  debianPackage: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
    }).output();
  } catch (error) {
    throw error instanceof Deno.errors.NotFound ? missingTool(command, debianPackage) : error;
  }
  const decoder = new TextDecoder();
  const text = decoder.decode(output.stdout) + decoder.decode(output.stderr);
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")} failed (exit code ${output.code}):\n${text}`);
  }
  return text;
}

/** The error for a tool that is not on PATH. */
function missingTool(command: string, debianPackage: string): Error {
  return new Error(
    `${command} is not installed (not found on PATH): install the Debian package ` +
      `${debianPackage} (apt-get install ${debianPackage})`,
  );
}

class ServiceProcess implements RunningService {
  readonly endpoints: string;
  readonly dir: string;
  readonly pid: number;
  readonly #launch: ServiceLaunch;
  readonly #child: Deno.ChildProcess;
  readonly #logged: Promise<unknown>;
  #exit: Deno.CommandStatus | null = null;
  #halting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(launch: ServiceLaunch, child: Deno.ChildProcess, logged: Promise<unknown>) {
    this.endpoints = launch.endpoints;
    this.dir = launch.dir;
    this.pid = child.pid;
    this.#launch = launch;
    this.#child = child;
    this.#logged = logged;
    child.status.then((status) => (this.#exit = status));
  }

  /** Probes until the service answers; rejects when it exits or the deadline passes first. */
  async awaitAnswer(): Promise<void> {
    const { name, endpoints, readyTimeoutMs } = this.#launch;
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await this.#probeBefore(deadline))) {
      if (this.#exit !== null) {
        throw new Error(
          `${name} exited with code ${this.#exit.code} before answering at ${endpoints}`,
        );
      }
      if (Date.now() >= deadline) {
        throw new Error(`${name} did not answer at ${endpoints} within ${readyTimeoutMs} ms`);
      }
      await this.#exitedWithin(PROBE_INTERVAL_MS);
    }
  }

  /** One probe, counted as unanswered if it has not answered by the deadline. */
  async #probeBefore(deadline: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([this.#launch.answers().catch(() => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process (SIGTERM, SIGKILL after the grace period) and waits for its last output. */
  halt(): Promise<void> {
    this.#halting ??= this.#halt();
    return this.#halting;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.halt().then(() => Deno.remove(this.dir, { recursive: true })).catch(
      (error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      },
    );
    return this.#stopping;
  }

  kill(): void {
    this.#signal("SIGKILL");
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch {
      // Already gone, or the dying process still held it: nothing more an exit handler can do.
    }
  }

  async #halt(): Promise<void> {
    this.#signal("SIGTERM");
    if (!(await this.#exitedWithin(this.#launch.stopGraceMs))) this.#signal("SIGKILL");
    await this.#child.status;
    await this.#logged;
  }

  #signal(signal: Deno.Signal): void {
    if (this.#exit !== null) return;
    try {
      this.#child.kill(signal);
    } catch (error) {
      // It exited between the check and the signal.
      if (!(error instanceof TypeError)) throw error;
    }
  }

  /** Waits up to `ms` for the process to exit; true when it did. */
  async #exitedWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const elapsed = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.#child.status.then(() => true), elapsed]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Starts copying the child's stdout and stderr into `path`; `logged` settles when both end. */
async function logTo(
  path: string,
  child: Deno.ChildProcess,
): Promise<{ logged: Promise<unknown> }> {
  const open = () => Deno.open(path, { create: true, append: true });
  const [out, err] = await Promise.all([open(), open()]);
  return {
    logged: Promise.all([child.stdout.pipeTo(out.writable), child.stderr.pipeTo(err.writable)]),
  };
}

async function logTail(path: string): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "(no log)");
  return text.trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
}
