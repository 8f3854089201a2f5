/**
 * The fleet of role processes of a chaos run, each started as deployed (`main.ts --role=...
 * --config=...` under its role's scoped permissions, as `deno task start` runs it), watched and restarted like a service manager would: an instance whose process
 * ended (killed or crashed) gets a new process after a short pause. Each process's output goes
 * to a log file of its instance, and the moments that matter (started, running, exit) are
 * recorded with the time each was logged (an elected role's process logs `leading <role>` each time
 * it wins the election, which is how the harness knows who leads).
 *
 * @module
 */

import type { ServiceRole } from "../../config/roles.ts";
import { roleCommand } from "../../launch.ts";
import { ELECTED_ROLES } from "./fault_plan.ts";
import { ledRole, leftRole, loggedAt } from "./log_line.ts";
import type { ProcessEvent, ShutdownRecord } from "./observations.ts";

/** How long a dead instance stays down before it is started again, ms. */
const RESTART_PAUSE_MS = 1_000;

/** One process of an instance. */
interface Life {
  child: Deno.ChildProcess;
  pid: number;
  /** When main.ts logged that its role runs (for an elected role: once it leads). */
  runningAt: number | null;
  /** When it last logged that it won its role's election, null once it logged leaving it. */
  leadingAt: number | null;
  exited: boolean;
  /** Sent SIGKILL by the harness: down, whatever its status says yet. */
  killed: boolean;
}

/** A role instance (e.g. `collector#2`) and its current process. */
export class RoleInstance {
  readonly role: ServiceRole;
  readonly name: string;
  readonly #fleet: RoleFleet;
  readonly #args: readonly string[];
  #life: Life | null = null;
  #restarting = true;

  constructor(fleet: RoleFleet, role: ServiceRole, name: string, args: readonly string[]) {
    this.#fleet = fleet;
    this.role = role;
    this.name = name;
    this.#args = args;
  }

  /** The current process's id, if one runs. */
  get pid(): number | null {
    return this.#life?.pid ?? null;
  }

  /** Whether a process of this instance runs now. */
  get alive(): boolean {
    return this.#life !== null && !this.#life.exited && !this.#life.killed;
  }

  /** Whether the current process logged that its role runs (an elected one: that it leads). */
  get running(): boolean {
    return this.alive && this.#life?.runningAt != null;
  }

  /** When the current process logged that it runs, if it did. */
  get runningAt(): number | null {
    return this.#life?.runningAt ?? null;
  }

  /** When the current process, if alive, last logged that it won the election. */
  get leadingAt(): number | null {
    return this.alive ? this.#life?.leadingAt ?? null : null;
  }

  /** Starts a process; resolves once it is spawned. */
  async start(): Promise<void> {
    const log = await Deno.open(`${this.#fleet.logDir}/${this.name}.log`, {
      create: true,
      append: true,
    });
    // As deployed: main.ts under exactly its role's permissions, as `deno task start` runs it.
    const args = await roleCommand([
      `--role=${this.role}`,
      `--config=${this.#fleet.configFile}`,
      // Many roles share this host: each serves HTTP on a port of its own.
      "--http-port=0",
      ...this.#args,
    ]);
    if (typeof args === "number") throw new Error(`${this.name}: bad arguments (${args})`);
    const child = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const life: Life = {
      child,
      pid: child.pid,
      runningAt: null,
      leadingAt: null,
      exited: false,
      killed: false,
    };
    this.#life = life;
    this.#record("started", life.pid);
    const ready = new RegExp(`retune\\.${this.role}: running `);
    const encoder = new TextEncoder();
    const writer = log.writable.getWriter();
    const copy = async (stream: ReadableStream<Uint8Array>) => {
      let partial = "";
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        await writer.write(encoder.encode(text));
        const lines = (partial + text).split("\n");
        partial = lines.pop()!;
        for (const line of lines) {
          // The line's own time: a process's output may reach us late, in a burst.
          if (ledRole(line) === this.role) {
            life.leadingAt = loggedAt(line) ?? Date.now();
            this.#record("leading", life.pid, undefined, life.leadingAt);
          }
          if (leftRole(line) === this.role) life.leadingAt = null;
          if (life.runningAt !== null || !ready.test(line)) continue;
          life.runningAt = loggedAt(line) ?? Date.now();
          this.#record("running", life.pid, undefined, life.runningAt);
        }
      }
    };
    const copied = Promise.all([copy(child.stdout), copy(child.stderr)]);
    child.status.then(async (status) => {
      life.exited = true;
      await copied.catch(() => {});
      await writer.close().catch(() => {});
      this.#record("exit", life.pid, status.code);
      await new Promise((resolve) => setTimeout(resolve, RESTART_PAUSE_MS));
      if (this.#restarting && this.#life === life) await this.start();
    });
  }

  /** Sends SIGKILL to the current process; its pid, or null if none ran. */
  kill(): number | null {
    const life = this.#life;
    if (life === null) return null;
    life.killed = true;
    try {
      life.child.kill("SIGKILL");
    } catch (error) {
      // It already ended.
      if (!(error instanceof TypeError)) throw error;
    }
    return life.pid;
  }

  /**
   * Stops restarting, sends SIGTERM and waits up to `timeoutMs` for the exit; a process still
   * running then is killed.
   */
  async stop(timeoutMs: number): Promise<ShutdownRecord | null> {
    this.#restarting = false;
    const life = this.#life;
    // Down (killed, or between a death and its restart) at the end: nothing to stop.
    if (life === null || life.exited || life.killed) return null;
    const began = Date.now();
    try {
      life.child.kill("SIGTERM");
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), timeoutMs));
    const status = await Promise.race([life.child.status, late]);
    clearTimeout(timer);
    if (status === null) {
      this.kill();
      await life.child.status;
    }
    return {
      instance: this.name,
      pid: life.pid,
      code: status?.code ?? null,
      seconds: (Date.now() - began) / 1000,
    };
  }

  #record(kind: ProcessEvent["kind"], pid: number, code?: number, at = Date.now()): void {
    this.#fleet.events.push({
      at,
      role: this.role,
      instance: this.name,
      pid,
      kind,
      ...(code === undefined ? {} : { code }),
    });
  }
}

/** Every role instance of a run. */
export class RoleFleet {
  readonly configFile: string;
  readonly logDir: string;
  readonly instances: RoleInstance[] = [];
  readonly events: ProcessEvent[] = [];

  constructor(configFile: string, logDir: string) {
    this.configFile = configFile;
    this.logDir = logDir;
  }

  /** Adds `count` instances of `role` (named `role#1`, ...), not yet started. */
  add(role: ServiceRole, count: number, args: readonly string[] = []): RoleInstance[] {
    const added = Array.from(
      { length: count },
      (_, i) => new RoleInstance(this, role, `${role}#${i + 1}`, args),
    );
    this.instances.push(...added);
    return added;
  }

  /** The instances of `role`. */
  of(role: ServiceRole): RoleInstance[] {
    return this.instances.filter((instance) => instance.role === role);
  }

  /**
   * The instance leading `role`: of the live ones, the one that last logged winning the election
   * and has not logged leaving it since (a deposed leader that did not notice yet loses to its
   * successor's later line); for a role
   * without an election, the one whose process last logged that it runs.
   */
  leaderOf(role: ServiceRole): RoleInstance | undefined {
    const since = (instance: RoleInstance) =>
      (ELECTED_ROLES as readonly string[]).includes(role)
        ? instance.leadingAt
        : instance.running
        ? instance.runningAt
        : null;
    return this.of(role)
      .filter((instance) => since(instance) !== null)
      .sort((a, b) => since(b)! - since(a)!)[0];
  }

  /** Stops every instance at once (each with `timeoutMs`); how each ended. */
  async stop(timeoutMs: number): Promise<ShutdownRecord[]> {
    const records = await Promise.all(this.instances.map((i) => i.stop(timeoutMs)));
    return records.filter((record) => record !== null);
  }
}
