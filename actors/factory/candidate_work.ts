/**
 * Optimisation candidates spread over factory processes (`factory.distribute`). The leader puts
 * each candidate on the work topic and waits for its scores on the results topic; every factory
 * process, the leader and its standbys alike, takes jobs from the work topic (one consumer group,
 * so each job goes to one of them) and tests them on its own workers. A job's offset is committed
 * only after its result is sent, so a process killed mid-job leaves it to another member of the
 * group; a result that arrives twice is taken once.
 *
 * @module
 */

import { nanoid } from "nanoid";
import type { Scores } from "../../core/scores.ts";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { CandidateJob, CandidateResult } from "../../protocol/messages.ts";
import type { ActorContext } from "../runtime/actor.ts";
import type { RoleEnvironment } from "../environment.ts";
import { receive, send } from "../messaging.ts";

/** Tests one candidate on this process's workers: its held-out scores. */
export type CandidateRunner = (job: CandidateJob) => Promise<Scores>;

/** Takes jobs from the work topic for as long as the role runs; resolves once subscribed. */
export async function serveCandidateJobs(
  context: ActorContext,
  env: RoleEnvironment,
  run: CandidateRunner,
  onRun: (job: CandidateJob) => void,
): Promise<void> {
  const { topics, config, instance } = env;
  await receive(context, {
    topic: topics.factoryWork,
    group: "factory.work",
    type: "CandidateJob",
    deadLetterTopic: topics.deadLetters,
    handler: async (messages, batch) => {
      // Long jobs: keep this process's group membership alive, or its jobs would move.
      const beat = setInterval(
        () => batch.heartbeat().catch(() => {}),
        config.factory.heartbeatMs,
      );
      try {
        await Promise.all(messages.map(async ({ payload: job }) => {
          if (job.deadline < Date.now()) {
            context.logger.info("skipped candidate job {jobId}: its deadline passed", { ...job });
            return;
          }
          const result: CandidateResult = {
            jobId: job.jobId,
            worker: instance,
            metrics: null,
            error: null,
          };
          try {
            result.metrics = await run(job);
            onRun(job);
          } catch (error) {
            result.error = error instanceof Error ? error.message : String(error);
          }
          await send(context, topics.factoryResults, "CandidateResult", result, {
            correlationId: job.jobId,
          });
        }));
      } finally {
        clearInterval(beat);
      }
    },
  });
}

/** The leader's side: puts candidates on the work topic and waits for their scores. */
export class CandidateDispatcher {
  readonly #context: ActorContext;
  readonly #env: RoleEnvironment;
  readonly #waiting = new Map<string, PromiseWithResolvers<CandidateResult>>();

  private constructor(context: ActorContext, env: RoleEnvironment) {
    this.#context = context;
    this.#env = env;
  }

  /** Subscribes to the results topic (this instance's own group) before any job goes out. */
  static async start(context: ActorContext, env: RoleEnvironment): Promise<CandidateDispatcher> {
    const dispatcher = new CandidateDispatcher(context, env);
    await receive(context, {
      topic: env.topics.factoryResults,
      // Its own group: every leader sees every result; results of others' jobs are ignored.
      group: `factory.results.${env.instance}`,
      type: "CandidateResult",
      deadLetterTopic: env.topics.deadLetters,
      handler: (messages) => {
        for (const { payload } of messages) dispatcher.#settle(payload);
        return Promise.resolve();
      },
    });
    return dispatcher;
  }

  /**
   * The held-out scores of `params` on the run's dataset (tested from its `since` on), from
   * whichever process took the job.
   */
  async evaluate(
    runId: string,
    dataset: { uri: string; since?: number | null },
    params: HyperParameters,
    deadline: number,
  ): Promise<Scores> {
    const job: CandidateJob = {
      jobId: nanoid(),
      runId,
      datasetUri: dataset.uri,
      since: dataset.since ?? null,
      params,
      deadline,
    };
    const answer = Promise.withResolvers<CandidateResult>();
    // A stop or deadline while the job is still being sent rejects an answer nobody awaits yet:
    // handled here, it still reaches the await below.
    answer.promise.catch(() => {});
    this.#waiting.set(job.jobId, answer);
    const late = setTimeout(
      () =>
        answer.reject(
          new Error(
            `no factory process answered candidate job ${job.jobId} of run ${runId} before its ` +
              `deadline: check that factory processes run and read topic ` +
              `'${this.#env.topics.factoryWork}'`,
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
    const stopped = () => answer.reject(new Error("the factory is stopping"));
    this.#context.signal.addEventListener("abort", stopped, { once: true });
    try {
      await send(this.#context, this.#env.topics.factoryWork, "CandidateJob", job, {
        key: job.jobId,
      });
      const result = await answer.promise;
      if (result.metrics === null) {
        throw new Error(`candidate job ${job.jobId} failed on ${result.worker}: ${result.error}`);
      }
      return result.metrics;
    } finally {
      clearTimeout(late);
      this.#context.signal.removeEventListener("abort", stopped);
      this.#waiting.delete(job.jobId);
    }
  }

  #settle(result: CandidateResult): void {
    this.#waiting.get(result.jobId)?.resolve(result);
  }
}
