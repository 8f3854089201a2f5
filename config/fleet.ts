/**
 * The models a deployment runs: its `models:` list with each model's sections merged over the
 * deployment's (`config/model_inheritance.ts`), or, without the list, one model named "default"
 * that is the deployment itself, so a single-model configuration runs exactly as before.
 *
 * A fleet model's stores live under `<storage.dir>/models/<name>` (`models/<name>/` under the S3
 * prefix), so one model's retrain never touches another's buckets or artifacts.
 *
 * @module
 */

import type { KeySelector } from "../models/model.ts";
import { deepMerge, INHERITED_BLOCKS } from "./model_inheritance.ts";
import {
  type FleetModelConfig,
  inheritedBlockSchemas,
  type KeySelectorConfig,
  type RetuneConfig,
} from "./schema.ts";

/** The name of the one model of a configuration without `models:`. */
export const DEFAULT_MODEL = "default";

/** One model of the fleet, ready to run. */
export interface FleetModel {
  name: string;
  /** Whether an event key belongs to the model. */
  select: KeySelector;
  /** The deployment's configuration as this model sees it (its sections merged, its stores). */
  config: RetuneConfig;
}

/** The models `config` declares, in order; one "default" model without `models:`. */
export function fleetOf(config: RetuneConfig): FleetModel[] {
  if (config.models === undefined) {
    return [{ name: DEFAULT_MODEL, select: () => true, config }];
  }
  return config.models.map((entry) => ({
    name: entry.name,
    select: keySelectorOf(entry.select),
    config: modelConfigOf(config, entry),
  }));
}

/** Whether `config` declares a fleet (`models:`) rather than one model. */
export function isFleet(config: RetuneConfig): boolean {
  return config.models !== undefined;
}

function modelConfigOf(config: RetuneConfig, entry: FleetModelConfig): RetuneConfig {
  const merged: Record<string, unknown> = { ...config };
  for (const block of INHERITED_BLOCKS) {
    const override = entry[block];
    // Validated by the schema already, merged the same way: parsing cannot fail here.
    if (override !== undefined) {
      merged[block] = inheritedBlockSchemas[block].parse(deepMerge(config[block], override));
    }
  }
  const { storage } = config;
  const s3 = storage.s3 && { ...storage.s3, prefix: `${storage.s3.prefix}models/${entry.name}/` };
  merged.storage = { ...storage, dir: `${storage.dir}/models/${entry.name}`, s3 };
  return merged as RetuneConfig;
}

/** The key test a selector describes; absent: every key. */
export function keySelectorOf(select: KeySelectorConfig | undefined): KeySelector {
  if (select === undefined) return () => true;
  if ("keys" in select) {
    const keys = new Set(select.keys);
    return (key) => keys.has(key);
  }
  if ("prefix" in select) return (key) => key.startsWith(select.prefix);
  const pattern = new RegExp(select.match);
  return (key) => pattern.test(key);
}
