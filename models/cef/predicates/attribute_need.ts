/**
 * What a predicate needs of an event: an attribute of a given type. Predicates declare their
 * needs so an event that lacks one is refused with a reason, instead of silently making every
 * predicate on it false and steering the automaton on a value nobody sent.
 *
 * @module
 */

import type { StreamEvent } from "../../../protocol/messages.ts";

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

/** Why `event` does not meet `needs`, or undefined when it does. */
export function unmetNeed(event: StreamEvent, needs: readonly AttributeNeed[]): string | undefined {
  for (let i = 0; i < needs.length; i++) {
    const { name, type } = needs[i];
    const value = event.attributes[name];
    // A NaN number is as useless to a comparison as a missing one.
    if (typeof value === type && (type === "string" || !Number.isNaN(value))) continue;
    const present = Object.keys(event.attributes);
    return `event lacks the ${type} attribute '${name}' the pattern reads: current value is ${
      value === undefined ? "undefined" : JSON.stringify(value)
    } (attributes: ${present.length === 0 ? "none" : present.join(", ")})`;
  }
  return undefined;
}
