import { describe, expect, inject, it } from "vitest";
import { familyScript, readTemplate, scriptSuffix } from "./family-script.js";

describe("familyScript", () => {
  it.each(["Qwen3.5-4B.jinja", "GLM-4.7-Flash.jinja", "openai-gpt-oss-120b.jinja"])(
    "calls the tool it is told to in %s's own syntax, and nothing else changes in the reply",
    (file) => {
      const template = readTemplate(inject("llamaSource"), file);
      const claudeCode = familyScript(template, "tool-call");
      const pi = familyScript(template, "tool-call", "bash");
      expect(pi).toHaveLength(claudeCode.length);
      for (const [index, branch] of pi.entries()) {
        expect(branch.reply).toContain("bash");
        expect(branch.reply).toBe(claudeCode[index]?.reply.replace("Bash", "bash"));
        expect(branch.afterTool).toBe(claudeCode[index]?.afterTool);
      }
    },
  );
});

describe("scriptSuffix", () => {
  it("names the tool only when it is not Bash, and refuses names that are not a-z, 0-9, _ or -", () => {
    expect(scriptSuffix("text", "bash")).toBe("");
    expect(scriptSuffix("tool-call")).toBe("-tool-call");
    expect(scriptSuffix("tool-call", "bash")).toBe("-tool-call-bash");
    expect(() => scriptSuffix("tool-call", "../bash")).toThrow(/not a-z/);
    expect(() => scriptSuffix("tool-call", "")).toThrow(/not a-z/);
  });
});
