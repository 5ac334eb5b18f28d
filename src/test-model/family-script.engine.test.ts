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

describe("familyScript on templates @huggingface/jinja reads otherwise than llama.cpp", () => {
  it("scripts Seed-OSS (an integer-keyed table) in its own syntax, reasoning opened by the model", () => {
    const [branch] = familyScript(readTemplate(inject("llamaSource"), "ByteDance-Seed-OSS.jinja"), "tool-call");
    expect(branch?.prompt.endsWith("<seed:bos>assistant\n")).toBe(true);
    expect(branch?.reply).toMatch(/^<seed:think>.*<\/seed:think>\n<seed:tool_call>\n<function=Bash>/s);
  });

  it("scripts Hermes 3 as Switchyard renders it: the answer after the tool result extends its prompt", () => {
    const template = readTemplate(inject("llamaSource"), "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja");
    const [branch] = familyScript(template, "tool-call");
    expect(branch?.afterToolPrompt?.endsWith("</tool_response>\n<|im_end|><|im_start|>assistant\n")).toBe(true);
    expect(branch?.reply).toContain('{"name": "Bash", "arguments": {"command": "echo switchyard-tool-ran"}}');
  });
});

describe("scriptSuffix", () => {
  it("names the tool only when it is not Bash, and refuses names that are not a-z, 0-9, _ or -", () => {
    expect(scriptSuffix("text", "bash")).toBe("");
    expect(scriptSuffix("tool-call")).toBe("-tool-call");
    expect(scriptSuffix("tool-call", "bash")).toBe("-tool-call-bash");
    expect(scriptSuffix("tool-call", "exec_command", "cmd")).toBe("-tool-call-exec_command-cmd");
    expect(scriptSuffix("tool-call", "Bash", "cmd")).toBe("-tool-call-cmd");
    expect(() => scriptSuffix("tool-call", "../bash")).toThrow(/not a-z/);
    expect(() => scriptSuffix("tool-call", "")).toThrow(/not a-z/);
  });
});
