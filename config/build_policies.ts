/**
 * The configured policies, built from their validated sections: the observer's retrain policy,
 * the collector's collection policy and the optimiser's search strategy. Every parameter comes
 * from the configuration, whose schema holds every default; the policies themselves have none.
 *
 * @module
 */

import type {
  CollectionPolicyConfig,
  CollectorConfig,
  ObserverConfig,
  OptimiserConfig,
  RetrainPolicyConfig,
  ValidationGapConfig,
} from "./schema.ts";
import type { CollectionPolicy } from "../policies/collection/collection_policy.ts";
import { ExponentialDecayPolicy } from "../policies/collection/exponential_decay.ts";
import { LastKPolicy } from "../policies/collection/last_k.ts";
import { ScoreBasedPolicy } from "../policies/collection/score_based.ts";
import { CompositePolicy } from "../policies/retrain/composite.ts";
import { DifferencePolicy } from "../policies/retrain/difference.ts";
import { FallPolicy } from "../policies/retrain/fall.ts";
import { MinScorePolicy } from "../policies/retrain/min_score.ts";
import { PageHinkleyPolicy } from "../policies/retrain/page_hinkley.ts";
import type { RetrainPolicy } from "../policies/retrain/retrain_policy.ts";
import type { RetrainSchedule } from "../policies/retrain/retrain_schedule.ts";
import { TrendPolicy } from "../policies/retrain/trend.ts";
import { ValidationGapPolicy } from "../policies/retrain/validation_gap.ts";
import { SingleActionPolicy } from "../policies/retrain/single_action.ts";
import { BayesianOptimiser } from "../policies/search/bayesian_optimiser.ts";
import { RandomSearch } from "../policies/search/random_search.ts";
import type { SearchSpace } from "../policies/search/space.ts";
import type { Direction, ReuseConfig, SearchStrategy } from "../policies/search/strategy.ts";

/**
 * The configured retrain policy behind the minimum-score rule and, when `validationGap` is given
 * with a margin, followed by the validation-gap rule; bad parameters throw a RangeError naming
 * them.
 */
export function createRetrainPolicy(
  config: RetrainPolicyConfig,
  validationGap?: ValidationGapConfig,
): RetrainPolicy {
  const policy = configuredRetrainPolicy(config);
  const rule = new MinScorePolicy({ minScore: config.minScore, holdOff: config.minScoreHoldOff });
  const members = [rule, policy];
  if (validationGap !== undefined && validationGap.margin !== null) {
    members.push(new ValidationGapPolicy({ ...validationGap, margin: validationGap.margin }));
  }
  return new CompositePolicy(members);
}

/**
 * The observer's policy: the configured one with its rules, inside the fall rule unless
 * `fall.margin` is null, restricted to one action if `actions` says so.
 */
export function createObserverPolicy(config: ObserverConfig): RetrainPolicy {
  const rules = createRetrainPolicy(config.policy, config.validationGap);
  const { margin, reports } = config.fall;
  const policy = margin === null ? rules : new FallPolicy(rules, { margin, reports });
  return config.actions === "both" ? policy : new SingleActionPolicy(policy, config.actions);
}

function configuredRetrainPolicy(config: RetrainPolicyConfig): RetrainPolicy {
  switch (config.kind) {
    case "trend":
      return new TrendPolicy(config);
    case "difference":
      return new DifferencePolicy(config);
    case "page_hinkley":
      return new PageHinkleyPolicy(config);
    default:
      throw new RangeError(
        "kind must be one of trend, difference, page_hinkley: " +
          `current value is ${(config as { kind: unknown }).kind}`,
      );
  }
}

/** The configured collection policy; bad parameters throw a RangeError naming them. */
export function createCollectionPolicy(config: CollectionPolicyConfig): CollectionPolicy {
  switch (config.kind) {
    case "last_k":
      return new LastKPolicy(config);
    case "exponential_decay":
      return new ExponentialDecayPolicy(config);
    case "score_based":
      return new ScoreBasedPolicy(config);
    default:
      throw new RangeError(
        "kind must be one of last_k, exponential_decay, score_based: " +
          `current value is ${(config as { kind: unknown }).kind}`,
      );
  }
}

/** The configured retrain schedule (`collector.schedule`), or undefined when there is none. */
export function scheduleOf(config: CollectorConfig["schedule"]): RetrainSchedule | undefined {
  if (config === undefined) return undefined;
  const { every, cron, window: windowMs, fullHistoryEvery } = config;
  const cadence = every !== undefined ? { everyMs: every } : { cron: cron! };
  return fullHistoryEvery === undefined
    ? { ...cadence, windowMs }
    : { ...cadence, windowMs, fullHistoryEvery };
}

/** What one optimisation run adds to the optimiser's settings. */
export interface StrategyRun {
  space: SearchSpace;
  seed: number;
  /** `maximise` unless told (the objective is MCC). */
  direction?: Direction;
  reuse?: ReuseConfig;
}

/**
 * The configured search strategy for one run of `settings.evaluations` evaluations; the initial
 * design is cut to the budget.
 */
export function createStrategy(settings: OptimiserConfig, run: StrategyRun): SearchStrategy {
  const search = { ...run, budget: settings.evaluations };
  switch (settings.strategy) {
    case "bayesian":
      return new BayesianOptimiser({
        ...search,
        initialPoints: Math.min(
          settings.initialPoints ?? run.space.dimensions.length + 1,
          settings.evaluations,
        ),
        acquisition: settings.acquisition,
        xi: settings.xi,
        kappa: settings.kappa,
        nu: settings.nu,
        hedgeEta: settings.hedgeEta,
        gpRestarts: settings.gpRestarts,
        gpIterations: settings.gpIterations,
        targetWarp: settings.targetWarp,
        polishEvery: settings.polishEvery,
      });
    case "random":
      return new RandomSearch(search);
    default:
      throw new RangeError(
        `strategy must be 'bayesian' or 'random': current value is '${
          (settings as { strategy: unknown }).strategy
        }'`,
      );
  }
}
