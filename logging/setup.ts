/**
 * Logging for every role, on LogTape: one category per role (`["retune", role]`), written to
 * standard error as text or JSON lines, from the configured level up. Standard output stays free
 * for a command's own output.
 *
 * Messages are LogTape templates: `{name}` is replaced by the property `name`. The text format also
 * appends the properties the message does not mention, so no context is lost on a terminal. It
 * renders string values as they are (`report 10: optimise`, not `report 10: "optimise"`) and any
 * other value as `Deno.inspect` shows it, on one line.
 *
 * @module
 */

import {
  configureSync,
  type ConsoleSinkOptions,
  getConsoleSink,
  getJsonLinesFormatter,
  getLogger,
  getTextFormatter,
  type LogLevel,
  type LogRecord,
  type TextFormatter,
} from "@logtape/logtape";
import type { LoggingConfig } from "../config/schema.ts";
import type { Logger } from "./logger.ts";

/** Options of `setupLogging`. */
export interface LoggingOptions {
  /** Where lines go (its `error` method is used). Default: the global console, i.e. stderr. */
  console?: ConsoleSinkOptions["console"];
}

/** Every level goes to `console.error`, which Deno writes to stderr synchronously. */
const TO_STDERR: Record<LogLevel, "error"> = {
  trace: "error",
  debug: "error",
  info: "error",
  warning: "error",
  error: "error",
  fatal: "error",
};

/** Configures logging for the whole process; calling it again replaces the previous setup. */
export function setupLogging(config: LoggingConfig, options: LoggingOptions = {}): void {
  const formatter = config.format === "json" ? getJsonLinesFormatter() : textFormatter;
  configureSync({
    reset: true,
    sinks: { stderr: getConsoleSink({ formatter, levelMap: TO_STDERR, console: options.console }) },
    loggers: [
      { category: ["retune"], lowestLevel: config.level, sinks: ["stderr"] },
      // LogTape's own diagnostics: only problems, not its start-up notice.
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/** The logger of one role (or any sub-part, e.g. `roleLogger("factory", "wayeb")`). */
export function roleLogger(role: string, ...subcategory: string[]): Logger {
  return getLogger(["retune", role, ...subcategory]);
}

const textFormatter: TextFormatter = getTextFormatter({
  timestamp: "date-time-tz",
  category: ".",
  value: render,
  format: ({ timestamp, level, category, message, record }) =>
    `${timestamp} ${level} ${category}: ${message}${unmentioned(record)}`,
});

/** ` key=value` for each property the message template does not interpolate. */
function unmentioned(record: LogRecord): string {
  const template = typeof record.rawMessage === "string" ? record.rawMessage : "";
  return Object.entries(record.properties)
    .filter(([key]) => !template.includes(`{${key}}`))
    .map(([key, value]) => ` ${key}=${render(value)}`)
    .join("");
}

/** A property value in a text line: strings read as words in the sentence, not as literals. */
function render(value: unknown): string {
  if (typeof value === "string") return value;
  return Deno.inspect(value, {
    compact: true,
    breakLength: Infinity,
    strAbbreviateSize: Infinity,
    iterableLimit: Infinity,
  });
}
