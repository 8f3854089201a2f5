import assert from "node:assert/strict";
import { parseForecastRequest } from "../../http/forecast_request.ts";
import { BadRequestError } from "../../http/bad_request.ts";

const event = { key: "v1", timestamp: 1_000, type: "", attributes: { speed: 3, port: "A" } };

Deno.test("a forecast request's events are read as the input topic's, defaults filled in", () => {
  assert.deepEqual(parseForecastRequest({ events: [event, { key: "v2", timestamp: 2 }] }, 10), [
    event,
    { key: "v2", timestamp: 2, type: "", attributes: {} },
  ]);
  assert.deepEqual(parseForecastRequest({ events: [] }, 10), []);
});

Deno.test("a bad forecast request is refused naming the field and its value", () => {
  const cases: [unknown, RegExp][] = [
    [[event], /^body must be an object \{"events": \[...\]\}: current value is \[/],
    [{ events: "all" }, /^events must be a list of events: current value is "all"/],
    [{ events: [event], extra: 1 }, /^extra must be absent/],
    [{ events: [event, 7] }, /^events\[1\] must be an object/],
    [{ events: [{ ...event, key: "" }] }, /^events\[0\]\.key must be a non-empty string/],
    [{ events: [{ ...event, timestamp: null }] }, /^events\[0\]\.timestamp must be a number/],
    [{ events: [{ ...event, type: 3 }] }, /^events\[0\]\.type must be a string/],
    [{ events: [{ ...event, attributes: [] }] }, /^events\[0\]\.attributes must be an object/],
    [
      { events: [{ ...event, attributes: { speed: true } }] },
      /^events\[0\]\.attributes\.speed must be a finite number or a string: current value is true/,
    ],
    [{ events: [{ ...event, colour: "red" }] }, /^events\[0\]\.colour must be absent/],
    [{ events: [event, event, event] }, /^events must be a list of at most 2 events/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => parseForecastRequest(body, 2),
      (error) => error instanceof BadRequestError && message.test(error.message),
      JSON.stringify(body),
    );
  }
});
