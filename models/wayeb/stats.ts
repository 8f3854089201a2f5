/**
 * Parsing of the statistics files Wayeb's `forecasting` task writes for `--statsFile:<f>`:
 * - `<f>.csv`, recognition: `streamSize,execTime(ns),matchesNo,lockedRuns,unlockedRuns`;
 * - `<f>_pattern`, classification forecasting, one row per pattern:
 *   `precision,recall,f1,specificity,accuracy,npv,informedness,mcc,tp,tn,fp,fn`.
 * Wayeb appends rows and ends them with CRLF; it writes -1.0 for a ratio it cannot compute and
 * 0.0 for an undefined MCC. Retune reports undefined scores as 0.
 *
 * @module
 */

import type { ModelMetrics } from "../model.ts";

/** Whole-stream recognition figures. */
export interface RecognitionStats {
  streamSize: number;
  execTimeNs: number;
  matches: number;
  lockedRuns: number;
  unlockedRuns: number;
}

/** Classification forecasting figures of one pattern, as Wayeb wrote them. */
export interface ClassificationStats {
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
  accuracy: number;
  npv: number;
  informedness: number;
  mcc: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

const RECOGNITION_COLUMNS = [
  "streamSize",
  "execTimeNs",
  "matches",
  "lockedRuns",
  "unlockedRuns",
] as const;

const CLASSIFICATION_COLUMNS = [
  "precision",
  "recall",
  "f1",
  "specificity",
  "accuracy",
  "npv",
  "informedness",
  "mcc",
  "tp",
  "tn",
  "fp",
  "fn",
] as const;

/** Parses `<statsFile>.csv`; `file` names it in errors. */
export function parseRecognitionStats(text: string, file: string): RecognitionStats {
  return parseRow(text, file, RECOGNITION_COLUMNS);
}

/** Parses `<statsFile>_pattern` of a single-pattern run; `file` names it in errors. */
export function parseClassificationStats(text: string, file: string): ClassificationStats {
  return parseRow(text, file, CLASSIFICATION_COLUMNS);
}

function parseRow<const C extends readonly string[]>(
  text: string,
  file: string,
  columns: C,
): Record<C[number], number> {
  const rows = text.split(/\r?\n/).filter((row) => row.trim() !== "");
  if (rows.length !== 1) {
    throw new Error(`${file}: expected one row of Wayeb statistics, found ${rows.length}`);
  }
  const cells = rows[0].split(",");
  if (cells.length !== columns.length) {
    throw new Error(
      `${file}: expected ${columns.length} columns (${columns.join(",")}), found ${cells.length}`,
    );
  }
  const entries = columns.map((column, i) => {
    const value = Number(cells[i]);
    if (cells[i].trim() === "" || !Number.isFinite(value)) {
      throw new Error(`${file}: column ${column} is not a number: '${cells[i]}'`);
    }
    return [column, value] as const;
  });
  return Object.fromEntries(entries) as Record<C[number], number>;
}

/** Wayeb's "cannot compute" marker for ratios in [0, 1]. */
const UNDEFINED = -1;

function defined(ratio: number): number {
  return ratio === UNDEFINED ? 0 : ratio;
}

/**
 * Retune's test metrics from one run's statistics. A positive classification forecast covers the
 * next `window` events, so its interval starts 1 event ahead and spans `window - 1`.
 */
export function toModelMetrics(
  recognition: RecognitionStats,
  classification: ClassificationStats,
  window: number,
): ModelMetrics {
  const { tp, tn, fp, fn } = classification;
  const positives = tp + fp;
  return {
    tp,
    tn,
    fp,
    fn,
    precision: defined(classification.precision),
    recall: defined(classification.recall),
    f1: defined(classification.f1),
    specificity: defined(classification.specificity),
    mcc: classification.mcc,
    events: recognition.streamSize,
    matches: recognition.matches,
    forecasts: tp + tn + fp + fn,
    spread: positives > 0 ? window - 1 : 0,
    distance: positives > 0 ? 1 : 0,
  };
}
