/**
 * The structured logger every actor and supervisor writes to. Deliberately minimal so a logtape
 * `Logger` (from `getLogger`) plugs in as is; tests can pass a recording object.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";

/** Properties attached to a log record (logtape interpolates `{name}` placeholders from them). */
export type LogProperties = Record<string, unknown>;

/** A structured logger: a message (template) plus properties, at four levels. */
export interface Logger {
  debug(message: string, properties?: LogProperties): void;
  info(message: string, properties?: LogProperties): void;
  warn(message: string, properties?: LogProperties): void;
  error(message: string, properties?: LogProperties): void;
}

/** The runtime's default logger: logtape category `retune.runtime` (silent until configured). */
export function defaultLogger(): Logger {
  return getLogger(["retune", "runtime"]);
}

/** A logger that adds `properties` to every record written through it. */
export function withProperties(logger: Logger, properties: LogProperties): Logger {
  const merged = (extra?: LogProperties) => ({ ...properties, ...extra });
  return {
    debug: (message, extra) => logger.debug(message, merged(extra)),
    info: (message, extra) => logger.info(message, merged(extra)),
    warn: (message, extra) => logger.warn(message, merged(extra)),
    error: (message, extra) => logger.error(message, merged(extra)),
  };
}
