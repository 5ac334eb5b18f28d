import { describe, expect, it } from "vitest";
import { DEEPSEEK_R1_CORRECTED } from "../../families/deepseek-r1-render.js";
import { familyById } from "../../families/model-families.js";
import { promptRenderingFor } from "./prompt-rendering.js";

describe("promptRenderingFor a family rendered from corrected copies (the R1 distills)", () => {
  const family = familyById("deepseek-r1-distill");
  const noBos = async () => [];

  it("refuses a template that is none of the family's stock ones, so the server keeps the chat path", async () => {
    // An R1-like template (the family's markers) that is not one of its three: Switchyard has no copy of it.
    const other = "{{ '<｜Assistant｜>' }}{# <｜tool▁calls▁begin｜> </think> #}";
    expect(await promptRenderingFor(family, { chat_template: other }, noBos)).toMatch(
      /none of the family's stock templates/,
    );
    // Nor does a corrected copy served as the server's template count as a stock one.
    const copy = Object.values(DEEPSEEK_R1_CORRECTED)[0] as string;
    expect(await promptRenderingFor(family, { chat_template: copy }, noBos)).toMatch(/none of the family's/);
  });
});
