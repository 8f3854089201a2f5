/**
 * The body of `POST /forecast`, checked before any event reaches the model: `{"events": [...]}`,
 * each event `{key, timestamp, type?, attributes?}` as on the input topic, and in a fleet
 * `"model"` (which the API reads). A bad one is refused naming its place and field.
 *
 * @module
 */

import type { AttributeValue, StreamEvent } from "../core/events.ts";
import { BadRequestError } from "./bad_request.ts";

const EVENT_FIELDS = ["key", "timestamp", "type", "attributes"];

/** The events of a forecast request of at most `maxEvents`; throws a BadRequestError. */
export function parseForecastRequest(body: unknown, maxEvents: number): StreamEvent[] {
  if (!isObject(body)) throw new BadRequestError("body", 'an object {"events": [...]}', body);
  for (const field of Object.keys(body)) {
    if (field !== "events" && field !== "model") {
      throw new BadRequestError(field, "absent (only events and model are read)", body[field]);
    }
  }
  const { events } = body;
  if (!Array.isArray(events)) throw new BadRequestError("events", "a list of events", events);
  if (events.length > maxEvents) {
    throw new BadRequestError(
      "events",
      `a list of at most ${maxEvents} events (serving.maxEvents)`,
      `${events.length} events`,
    );
  }
  return events.map((event, index) => eventOf(event, `events[${index}]`));
}

function eventOf(value: unknown, at: string): StreamEvent {
  if (!isObject(value)) {
    throw new BadRequestError(at, "an object {key, timestamp, type, attributes}", value);
  }
  for (const field of Object.keys(value)) {
    if (!EVENT_FIELDS.includes(field)) {
      throw new BadRequestError(
        `${at}.${field}`,
        `absent (an event has ${EVENT_FIELDS.join(", ")})`,
        value[field],
      );
    }
  }
  const { key, timestamp, type = "", attributes = {} } = value;
  if (typeof key !== "string" || key === "") {
    throw new BadRequestError(`${at}.key`, "a non-empty string (the partition key)", key);
  }
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) {
    throw new BadRequestError(`${at}.timestamp`, "a number (epoch ms)", timestamp);
  }
  if (typeof type !== "string") throw new BadRequestError(`${at}.type`, "a string", type);
  if (!isObject(attributes)) {
    throw new BadRequestError(`${at}.attributes`, "an object of numbers and strings", attributes);
  }
  const checked: Record<string, AttributeValue> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const ok = typeof attribute === "string" ||
      (typeof attribute === "number" && Number.isFinite(attribute));
    if (!ok) {
      throw new BadRequestError(
        `${at}.attributes.${name}`,
        "a finite number or a string",
        attribute,
      );
    }
    checked[name] = attribute;
  }
  return { key, timestamp, type, attributes: checked };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
