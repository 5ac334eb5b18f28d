import { describe, expect, it } from "vitest";
import { compileTemplate } from "./jinja-quirks.js";

/** Each case: what Python's Jinja (and llama.cpp's renderer) writes for the template, where @huggingface/jinja raises or differs. */
const render = (template: string, context: Record<string, unknown> = {}) => compileTemplate(template).render(context);

describe("renderer quirks: templates read as llama.cpp reads them", () => {
  it("an integer-keyed table, sorted and read by key (Seed-OSS's thinking budget)", () => {
    const table =
      "{%- set t = {0: 0, 512: 128, 1024: 256} -%}{%- set ns = namespace(i = None) -%}{%- for k, v in t | dictsort -%}{%- if ns.i is none and b <= k -%}{%- set ns.i = v -%}{%- endif -%}{%- endfor -%}{{ ns.i }}/{{ t[1024] }}";
    expect(render(table, { b: 600 })).toBe("256/256");
    expect(render(table, { b: -1 })).toBe("0/256");
  });

  it("a lookup by an undefined key, and `in` or a loop over an undefined value", () => {
    expect(render("{{ m[s.type] is defined }}", { m: { a: 1 }, s: {} })).toBe("false");
    expect(render("{{ 'a' in s.required }}", { s: {} })).toBe("false");
    expect(render("{% if t in ('a', 'b') %}x{% else %}y{% endif %}")).toBe("y");
    expect(render("{% for tool in tools %}x{% endfor %}ok")).toBe("ok");
    expect(render("{{ s.type is iterable }}", { s: {} })).toBe("true");
  });

  it("`| string` of booleans and none, `trim` of undefined", () => {
    expect(
      render("{{ a | string }} {{ b | string }} {{ c | string }} {{ d | string }}", {
        a: true,
        b: false,
        c: null,
        d: 7,
      }),
    ).toBe("True False None 7");
    expect(render("[{{ s.description | trim }}]", { s: {} })).toBe("[]");
  });

  it("`upper` and `lower` of a list of strings (Gemma 4 on a JSON Schema type union), a string and undefined", () => {
    const template =
      "{{ s['type'] | upper }}/{% if s.type | lower == 'integer' %}i{% else %}n{% endif %}/{{ s.name | upper }}/{{ s.none | upper }}";
    expect(render(template, { s: { type: ["integer", "null"], name: "shell" } })).toBe("['INTEGER', 'NULL']/n/SHELL/");
    expect(render(template, { s: { type: "INTEGER", name: "x" } })).toBe("INTEGER/i/X/");
  });

  it("leaves text outside tags, and string literals inside them, alone", () => {
    expect(render("x in a.b and m[s.t] | string")).toBe("x in a.b and m[s.t] | string");
    expect(render("{{ 'you do not have in a.b' ~ \"or m[s.t] | string\" }}")).toBe(
      "you do not have in a.bor m[s.t] | string",
    );
  });
});
