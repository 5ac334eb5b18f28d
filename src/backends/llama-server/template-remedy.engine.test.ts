import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { correctTemplate, dependsOnLastQuery, hasPreserveThinking } from "./template-remedy.js";

const template = (name: string) => readFileSync(join(inject("llamaSource"), "models", "templates", name), "utf8");

describe("template remedies", () => {
  it("finds the last-query dependence in Qwen3 and Qwen3.5 templates and corrects it", () => {
    for (const name of ["Qwen3.5-4B.jinja", "Qwen-Qwen3-0.6B.jinja"]) {
      const source = template(name);
      expect(dependsOnLastQuery(source), name).toBe(true);
      const corrected = correctTemplate(source);
      expect(corrected, name).toBeDefined();
      expect(dependsOnLastQuery(corrected as string), name).toBe(false);
    }
  });
  it("leaves templates without it alone", () => {
    expect(correctTemplate(template("Qwen3-Coder.jinja"))).toBeUndefined();
  });
  it("notices a preserve_thinking switch", () => {
    expect(hasPreserveThinking(template("LFM2.5-8B-A1B.jinja"))).toBe(true);
    expect(hasPreserveThinking(template("Qwen3.5-4B.jinja"))).toBe(false);
  });
});
