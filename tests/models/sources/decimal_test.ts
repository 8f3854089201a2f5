import assert from "node:assert/strict";
import { plainDecimal } from "../../../models/sources/decimal.ts";

const read = (text: string) => plainDecimal(`,${text},`, 1, text.length + 1);

Deno.test("a plain decimal reads as the very double Number gives", { permissions: "none" }, () => {
  const texts = [
    "0",
    "-0",
    "7",
    "007",
    "1.",
    ".5",
    "-4.489492",
    "48.357178",
    "178.6",
    "1443677401",
  ];
  let state = 7;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) {
    const digits = 1 + Math.floor(next() * 15);
    let text = "";
    for (let d = 0; d < digits; d++) text += Math.floor(next() * 10);
    const point = Math.floor(next() * (digits + 1));
    text = `${next() < 0.5 ? "-" : ""}${text.slice(0, point)}.${text.slice(point)}`;
    texts.push(text, text.replace(".", ""));
  }
  for (const text of texts) assert.equal(Object.is(read(text), Number(text)), true, text);
});

Deno.test("anything but a plain decimal of 15 digits is left to Number", {
  permissions: "none",
}, () => {
  for (
    const text of [
      "",
      "-",
      ".",
      "-.",
      "+1",
      " 1",
      "1 ",
      "1e3",
      "0x10",
      "1.2.3",
      "--1",
      "Infinity",
      "NaN",
      "16.791537956792514",
      "1234567890123456",
    ]
  ) {
    assert.equal(read(text), undefined, text);
  }
});
