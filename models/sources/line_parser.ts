/**
 * Turns one line of a source file into a StreamEvent, or into the reason it cannot be one. The
 * replayer and the engine reuse it line by line; `read.ts` uses it for whole files.
 *
 * @module
 */

import type { AttributeValue, StreamEvent } from "../../core/events.ts";
import { splitCsvLine } from "./csv.ts";
import { fieldsOf, type SourceSpec } from "./spec.ts";
import { plainDecimal } from "./decimal.ts";

/** An event, or why the line is not one. */
export type ParsedLine =
  | { readonly ok: true; readonly event: StreamEvent }
  | { readonly ok: false; readonly reason: string };

/** Parses one line of the source. */
export type LineParser = (line: string) => ParsedLine;

/** Reads a named field of a record; undefined when absent. */
type Lookup = (name: string) => unknown;

/**
 * A parser for lines of `spec`. A CSV source with a header needs its header line, which must
 * name every field the spec reads.
 */
export function createLineParser(spec: SourceSpec, headerLine?: string): LineParser {
  if (spec.format === "jsonl") return (line) => parseJsonLine(line, spec);
  const columns = csvColumns(spec, headerLine);
  const index = new Map(columns.map((name, i) => [name, i]));
  const named = new Set(fieldsOf(spec));
  const others = spec.otherFields === "infer" ? columns.filter((c) => !named.has(c)) : [];
  const fast = csvFastPath(spec, index, others);
  const cells = unquotedCells(spec.delimiter, columns.length);
  return (line) => {
    // A row without quotes is read in place; any other row, or a row with a problem, is split.
    const bounds = line.includes('"') ? undefined : cells(line);
    if (bounds !== undefined) {
      const event = fast(line, bounds);
      if (event !== undefined) return { ok: true, event };
    }
    const fields = splitCsvLine(line, spec.delimiter);
    if (!Array.isArray(fields)) return { ok: false, reason: fields.error };
    if (fields.length !== columns.length) {
      return {
        ok: false,
        reason: `expected ${columns.length} columns but found ${fields.length}`,
      };
    }
    return toEvent(spec, (name) => fields[index.get(name)!], "csv", others);
  };
}

/**
 * Where each of `columns` cells of an unquoted row starts and ends (`bounds[2i]`,
 * `bounds[2i + 1]`), in one array reused row after row; undefined for a row with another number of
 * cells.
 */
function unquotedCells(
  delimiter: string,
  columns: number,
): (line: string) => Int32Array | undefined {
  const bounds = new Int32Array(2 * columns);
  return (line) => {
    let start = 0;
    for (let column = 0; column < columns; column++) {
      const next = line.indexOf(delimiter, start);
      const last = column === columns - 1;
      if (last !== (next < 0)) return undefined;
      bounds[2 * column] = start;
      bounds[2 * column + 1] = last ? line.length : next;
      start = next + delimiter.length;
    }
    return bounds;
  };
}

/**
 * The event of a well-formed CSV row (`bounds` as `unquotedCells` gives them), or undefined for a
 * row with a problem, which `toEvent` then describes. Column positions are looked up once, and
 * numbers are read in place, so a good row costs only its conversions: the replayer parses
 * millions of them.
 */
function csvFastPath(
  spec: SourceSpec,
  index: ReadonlyMap<string, number>,
  others: readonly string[],
): (line: string, bounds: Int32Array) => StreamEvent | undefined {
  const at = (name: string) => index.get(name)!;
  const keyAt = spec.key === null ? -1 : at(spec.key);
  const typeAt = spec.type === null ? -1 : at(spec.type);
  const timeAt = at(spec.timestamp.field);
  const scale = spec.timestamp.unit === "s" ? 1000 : 1;
  const numeric = spec.numeric.map((name) => ({ name, at: at(name) }));
  const strings = spec.strings.map((name) => ({ name, at: at(name) }));
  const inferred = others.map((name) => ({ name, at: at(name) }));
  return (line, bounds) => {
    const cell = (at: number) => line.slice(bounds[2 * at], bounds[2 * at + 1]);
    const number = (at: number) =>
      plainDecimal(line, bounds[2 * at], bounds[2 * at + 1]) ?? csvNumber(cell(at));
    const time = number(timeAt);
    if (!Number.isFinite(time)) return undefined;
    const attributes: Record<string, AttributeValue> = {};
    for (const { name, at } of numeric) {
      const value = number(at);
      if (!Number.isFinite(value)) return undefined;
      attributes[name] = value;
    }
    for (const { name, at } of strings) attributes[name] = cell(at);
    for (const { name, at } of inferred) attributes[name] = inferredCell(cell(at));
    return {
      key: keyAt < 0 ? "" : cell(keyAt),
      timestamp: scale === 1 ? time : Math.round(time * scale),
      type: typeAt < 0 ? "" : cell(typeAt),
      attributes,
    };
  };
}

/** A CSV cell as a number; NaN for a blank cell, which `Number` would read as 0. */
function csvNumber(cell: string): number {
  const value = Number(cell);
  return value === 0 && cell.trim() === "" ? NaN : value;
}

/** A cell that reads as a finite number is one; anything else stays a string. */
function inferredCell(cell: string): AttributeValue {
  const value = csvNumber(cell);
  return Number.isFinite(value) ? value : cell;
}

function csvColumns(spec: SourceSpec, headerLine: string | undefined): string[] {
  if (!spec.header) return spec.columns!;
  if (headerLine === undefined) {
    throw new TypeError("headerLine is required: the csv source has a header line");
  }
  const columns = splitCsvLine(headerLine, spec.delimiter);
  if (!Array.isArray(columns)) throw new TypeError(`header line is malformed: ${columns.error}`);
  const names = columns.map((c) => c.trim());
  const missing = fieldsOf(spec).filter((field) => !names.includes(field));
  if (missing.length > 0) {
    throw new TypeError(
      `header line lacks the fields ${missing.join(", ")}: current value is ${headerLine}`,
    );
  }
  return names;
}

function parseJsonLine(line: string, spec: SourceSpec): ParsedLine {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return { ok: false, reason: "a JSON line must be an object" };
  }
  const fields = record as Record<string, unknown>;
  const named = new Set(fieldsOf(spec));
  const others = spec.otherFields === "infer"
    ? Object.keys(fields).filter((name) => !named.has(name))
    : [];
  return toEvent(
    spec,
    (name) => (Object.hasOwn(fields, name) ? fields[name] : undefined),
    "json",
    others,
  );
}

/**
 * CSV fields are text and become numbers here; JSON fields must already have their types.
 * `others` are unnamed fields kept with an inferred type, and a nested attributes object gives
 * its entries as they are (JSON nulls, booleans and objects are not attribute values and are
 * left out).
 */
function toEvent(
  spec: SourceSpec,
  field: Lookup,
  kind: "csv" | "json",
  others: readonly string[],
): ParsedLine {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = field(name);
    if (typeof value === "string") return value;
    if (typeof value === "number" && kind === "json") return String(value);
    problems.push(`${name} must be a string: current value is ${JSON.stringify(value)}`);
    return "";
  };
  const number = (name: string): number => {
    const value = field(name);
    const parsed = typeof value === "number" && kind === "json"
      ? value
      : typeof value === "string" && kind === "csv" && value.trim() !== ""
      ? Number(value)
      : NaN;
    if (!Number.isFinite(parsed)) {
      problems.push(`${name} must be a number: current value is ${JSON.stringify(value)}`);
    }
    return parsed;
  };

  const key = spec.key === null ? "" : text(spec.key);
  const time = number(spec.timestamp.field);
  const type = spec.type === null ? "" : text(spec.type);
  const attributes: Record<string, AttributeValue> = {};
  for (const name of spec.numeric) attributes[name] = number(name);
  for (const name of spec.strings) attributes[name] = text(name);
  for (const name of others) {
    const value = field(name);
    if (typeof value === "number") attributes[name] = value;
    else if (typeof value === "string") attributes[name] = inferred(value, kind);
  }
  if (spec.attributes !== null) {
    const nested = field(spec.attributes);
    if (typeof nested === "object" && nested !== null && !Array.isArray(nested)) {
      for (const [name, value] of Object.entries(nested)) {
        if (typeof value === "number" || typeof value === "string") attributes[name] = value;
      }
    } else {
      problems.push(
        `${spec.attributes} must be an object: current value is ${JSON.stringify(nested)}`,
      );
    }
  }
  if (problems.length > 0) return { ok: false, reason: problems.join("; ") };
  const timestamp = spec.timestamp.unit === "s" ? Math.round(time * 1000) : time;
  return { ok: true, event: { key, timestamp, type, attributes } };
}

/** A CSV cell that reads as a finite number is one; JSON strings stay strings. */
function inferred(value: string, kind: "csv" | "json"): AttributeValue {
  if (kind === "json" || value.trim() === "") return value;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : value;
}
