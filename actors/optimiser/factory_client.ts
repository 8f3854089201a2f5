/**
 * Request/reply over the factory's mailbox: each command carries a request id and a deadline,
 * and the matching report (same request id) resolves it. Nothing waits past its deadline, so a
 * dead factory can never leave the optimiser hanging (a flaw of the reference system).
 *
 * @module
 */

import { nanoid } from "nanoid";
import type { FactoryCommand, FactoryReport } from "../../protocol/messages.ts";

/** A request to the factory whose report did not arrive in time. */
export class DeadlineError extends Error {
  /** Names the command kind and the time it was allowed. */
  constructor(kind: string, timeoutMs: number) {
    super(`factory did not answer '${kind}' within ${timeoutMs} ms`);
    this.name = "DeadlineError";
  }
}

/** The factory answered a request with `failed`. */
export class FactoryFailure extends Error {
  /** Carries the factory's reason. */
  constructor(kind: string, reason: string) {
    super(`factory failed '${kind}': ${reason}`);
    this.name = "FactoryFailure";
  }
}

/** A command without the fields the client fills in. */
export type CommandDraft = FactoryCommand extends infer C
  ? C extends FactoryCommand ? Omit<C, "requestId" | "deadline"> : never
  : never;

interface Pending {
  resolve(report: FactoryReport): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Sends commands to the factory and matches its reports to them. */
export class FactoryClient {
  readonly #send: (command: FactoryCommand) => Promise<void>;
  readonly #now: () => number;
  readonly #pending = new Map<string, Pending>();
  /** Why the client was closed; null while open. */
  #closed: string | null = null;

  /** `send` publishes a command on the factory's mailbox. */
  constructor(send: (command: FactoryCommand) => Promise<void>, now: () => number = Date.now) {
    this.#send = send;
    this.#now = now;
  }

  /** Sends a command and resolves with its report, or rejects after `timeoutMs` or once closed. */
  async request(draft: CommandDraft, timeoutMs: number): Promise<FactoryReport> {
    if (!(timeoutMs > 0)) {
      throw new RangeError(`timeoutMs must be a positive number: current value is ${timeoutMs}`);
    }
    if (this.#closed !== null) throw new Error(this.#closed);
    const requestId = nanoid();
    const command = { ...draft, requestId, deadline: this.#now() + timeoutMs } as FactoryCommand;
    const answer = new Promise<FactoryReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new DeadlineError(draft.kind, timeoutMs));
      }, timeoutMs);
      this.#pending.set(requestId, { resolve, reject, timer });
    });
    // Closed while the command is being sent, the answer rejects before anything awaits it.
    answer.catch(() => {});
    try {
      await this.#send(command);
    } catch (error) {
      this.#settle(requestId)?.reject(error as Error);
    }
    const report = await answer;
    if (report.kind === "failed") throw new FactoryFailure(draft.kind, report.reason);
    return report;
  }

  /** Sends `opt_abort`, which expects no report; still allowed once closed, to free the factory. */
  async abort(runId: string, reason: string): Promise<void> {
    await this.#send({ kind: "opt_abort", requestId: nanoid(), runId, reason });
  }

  /** Hands a report from the factory to the request waiting for it; false if none waits. */
  deliver(report: FactoryReport): boolean {
    const pending = this.#settle(report.requestId);
    pending?.resolve(report);
    return pending !== undefined;
  }

  /** Rejects every waiting request and every later one with `reason` (the optimiser stops). */
  close(reason: string): void {
    this.#closed = reason;
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new Error(reason));
  }

  /** Number of requests still waiting for a report. */
  get waiting(): number {
    return this.#pending.size;
  }

  #settle(requestId: string): Pending | undefined {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return undefined;
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
    return pending;
  }
}
