import { Template } from "@huggingface/jinja";

/**
 * Where @huggingface/jinja differs from the renderer llama-server uses (and from Python's Jinja, which
 * templates are written for), as rewrites of the template's text applied before parsing; each was
 * measured against llama-server's `/apply-template` (test/model-families.test.ts). Shared by Switchyard's
 * renderer (render-prompt.ts) and the test-model writer (src/test-model/family-script.ts), so both read a
 * template the way the engine does.
 */
export const RENDERER_QUIRKS: readonly { rewrite: (source: string) => string; why: string }[] = [
  {
    // Seed-OSS: its thinking-budget table `{0: 0, 512: 128, …}`, sorted with `dictsort` and read by a key.
    rewrite: integerKeyedTables,
    // First: the rewrites below would wrap the table's name.
    why: "@huggingface/jinja's dicts take string keys only (an error on `{0: 0}`); Jinja and llama.cpp take any",
  },
  {
    // Gemma 4: `value['type'] | upper` for a JSON Schema type union (`"type": ["integer", "null"]`).
    // Whole tags: the operand may hold a string literal (`value['type']`), which insideTags would split.
    rewrite: (source) =>
      wholeTags(source, (tag) =>
        tag.replace(
          /([A-Za-z_]\w*(?:\.\w+|\[[^[\]]+\])*)\s*\|\s*(upper|lower)\b/g,
          (_, operand: string, filter: string) =>
            `((("['" ~ (${operand} | join("', '")) ~ "']") if (${operand} is sequence and ${operand} is not string and ${operand} is not mapping) else ${operand}) | ${filter})`,
        ),
      ),
    // First: the rewrite below puts `default('')` before the filter, on whichever value it gets.
    why: "`upper` and `lower` of a list of strings are its Python form (`['INTEGER', 'NULL']`) in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
  {
    // Gemma 4: `value['type'] | upper == 'OBJECT'` for a schema without a type; Hermes 3:
    // `param_fields.description|trim` for a parameter without a description.
    rewrite: (source) => source.replace(/\|\s*(upper|lower|trim)\b/g, "| default('') | $1"),
    why: "`upper`, `lower` and `trim` of an undefined value are '' in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
  {
    // Hermes 3: `basic_type_map[json_spec.type]` for a schema without a type (Claude Code's tools have
    // some: an `anyOf` or a bare `{}`).
    rewrite: (source) => insideTags(source, (code) => code.replace(/(\w)\[(\w+(?:\.\w+)+)\]/g, "$1[$2 | default('')]")),
    why: "a lookup by an undefined key is undefined in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
  {
    // Seed-OSS: `name in item.function.parameters.required` for a tool whose schema lists none required.
    rewrite: (source) =>
      insideTags(source, (code) =>
        code.replace(/\bin\s+([A-Za-z_]\w*(?:\.\w+)+)(?![\w.([])/g, "in ($1 | default([]))"),
      ),
    why: "`in` an undefined value is false (a loop over one is empty) in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
  {
    // Hermes 3: `json_spec.type is iterable` for a schema without a type (then `Union[]`, as llama.cpp writes).
    rewrite: (source) =>
      insideTags(source, (code) =>
        code.replace(/\b([A-Za-z_][\w.]*)\s+is\s+iterable\b/g, "($1 is iterable or $1 is undefined)"),
      ),
    why: "an undefined value is iterable (and empty) in Jinja and llama.cpp, not in @huggingface/jinja",
  },
  {
    // Hermes 3: `{%- for tool in tools %}` in a request without tools.
    rewrite: (source) =>
      insideTags(source, (code) =>
        code.replace(/(\bfor\s+\w+(?:\s*,\s*\w+)*\s+in\s+)([A-Za-z_]\w*)(?![\w.([])/g, "$1($2 | default([]))"),
      ),
    why: "a loop over an undefined value is empty in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
  {
    // Seed-OSS: `t in ("number", "integer")` in its `py_type` macro, for a schema without a type.
    rewrite: (source) =>
      insideTags(source, (code) =>
        code.replace(/\b(if|elif|and|or|not)\s+([A-Za-z_]\w*)\s+in\b/g, "$1 ($2 | default('(undefined)')) in"),
      ),
    why: "an undefined value `in` a list is false in Jinja and llama.cpp, an error in @huggingface/jinja",
  },
  {
    // StepFun 3.5 and Seed-OSS write a tool call's scalar arguments with `args_value | string`.
    rewrite: (source) =>
      insideTags(source, (code) =>
        code.replace(
          /\b([A-Za-z_]\w*(?:\.\w+)*)\s*\|\s*string\b/g,
          "(($1 | string | capitalize) if $1 is boolean else ('None' if $1 is none else $1 | string))",
        ),
      ),
    why: "`| string` of true, false and none is `True`, `False`, `None` in Jinja and llama.cpp; `true`, `false` and an error in @huggingface/jinja",
  },
];

/**
 * `rewrite` applied to the code of the template's tags (`{{ … }}`, `{% … %}`), never to its literal text
 * nor to the string literals inside a tag (Mistral's default system prompt is one: "…you do not have in…").
 */
function insideTags(source: string, rewrite: (code: string) => string): string {
  return wholeTags(source, (tag) => {
    let result = "";
    let last = 0;
    for (const literal of tag.matchAll(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g)) {
      result += rewrite(tag.slice(last, literal.index)) + literal[0];
      last = literal.index + literal[0].length;
    }
    return result + rewrite(tag.slice(last));
  });
}

/** `rewrite` applied to each of the template's tags (`{{ … }}`, `{% … %}`) whole, string literals included. */
function wholeTags(source: string, rewrite: (tag: string) => string): string {
  return source.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, rewrite);
}

const TABLE = /(\{%-?\s*set\s+(\w+)\s*=\s*)\{((?:\s*-?\d+\s*:\s*-?\d+\s*,?)+)\s*\}/g;

/**
 * A dict literal whose keys and values are integers, as the template uses it (`NAME | dictsort`,
 * `NAME[INTEGER]`), rewritten as the sorted list of its pairs, with each lookup by a literal key replaced
 * by its value: the same values where the template reads them, without an integer key.
 */
function integerKeyedTables(source: string): string {
  let rewritten = source;
  for (const [whole, head, name, body] of source.matchAll(TABLE)) {
    const pairs = (body ?? "")
      .split(",")
      .filter((pair) => pair.trim())
      .map((pair) => pair.split(":").map((part) => Number(part.trim())) as [number, number])
      .sort((left, right) => left[0] - right[0]);
    const list = `[${pairs.map(([key, value]) => `[${key}, ${value}]`).join(", ")}]`;
    rewritten = rewritten
      .replace(whole, `${head}${list}`)
      .replace(new RegExp(`\\b${name}\\s*\\|\\s*dictsort\\b`, "g"), name ?? "")
      .replace(new RegExp(`\\b${name}\\[(-?\\d+)\\]`, "g"), (lookup, key: string) => {
        const found = pairs.find(([candidate]) => candidate === Number(key));
        return found ? String(found[1]) : lookup;
      });
  }
  return rewritten;
}

/** The template's text with every renderer quirk rewritten (the text @huggingface/jinja is given). */
export function withRendererQuirks(source: string): string {
  return RENDERER_QUIRKS.reduce((text, quirk) => quirk.rewrite(text), source);
}

/** A template parsed the way llama-server reads it: `withRendererQuirks` first. */
export function compileTemplate(source: string): Template {
  return new Template(withRendererQuirks(source));
}
