/**
 * What a predicate needs of an event: an attribute of a given type. Predicates declare their
 * needs so an event that lacks one is refused with a reason, instead of silently making every
 * predicate on it false and steering the automaton on a value nobody sent.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";

/** An attribute a predicate reads, and the type it must have. */
export interface AttributeNeed {
  readonly name: string;
  readonly type: "number" | "string";
}

/** The distinct needs of `needs`, first appearance first; one name with two types is refused. */
export function mergeNeeds(needs: Iterable<AttributeNeed>): AttributeNeed[] {
  const byName = new Map<string, AttributeNeed>();
  for (const need of needs) {
    const known = byName.get(need.name);
    if (known === undefined) byName.set(need.name, need);
    else if (known.type !== need.type) {
      throw new RangeError(
        `attribute '${need.name}' is read both as a ${known.type} and as a ${need.type}`,
      );
    }
  }
  return [...byName.values()];
}

/**
 * A check of `needs` for the engine's hot loop: why an event does not meet them, or undefined.
 * The common case (all met) only tests types; the reason is worked out for a failing event.
 */
export function needsCheck(
  needs: readonly AttributeNeed[],
): (event: StreamEvent) => string | undefined {
  const numbers = needs.filter((need) => need.type === "number").map((need) => need.name);
  const strings = needs.filter((need) => need.type === "string").map((need) => need.name);
  return (event) => {
    const attributes = event.attributes;
    for (let i = 0; i < numbers.length; i++) {
      const value = attributes[numbers[i]];
      // A NaN number is as useless to a comparison as a missing one.
      if (typeof value !== "number" || value !== value) return unmetNeed(event, needs);
    }
    for (let i = 0; i < strings.length; i++) {
      if (typeof attributes[strings[i]] !== "string") return unmetNeed(event, needs);
    }
    return undefined;
  };
}

/** Why `event` does not meet `needs`, or undefined when it does. */
export function unmetNeed(event: StreamEvent, needs: readonly AttributeNeed[]): string | undefined {
  for (const { name, type } of needs) {
    const value = event.attributes[name];
    if (typeof value === type && !Number.isNaN(value)) continue;
    const present = Object.keys(event.attributes);
    return `event lacks the ${type} attribute '${name}' the pattern reads: current value is ${
      value === undefined ? "undefined" : JSON.stringify(value)
    } (attributes: ${present.length === 0 ? "none" : present.join(", ")})`;
  }
  return undefined;
}
