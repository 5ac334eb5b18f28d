import type { ChainLink } from "./chain-plan.js";
import {
  CONTEXT_STRENGTH,
  CURRENT_ALONE,
  CURRENT_WITH_CONTEXT,
  SWITCH_SWING,
  TOOL_CALL_BIAS,
} from "./scripted-weights.js";

/** One step of a chain as the model meets it: the current token, the ones before it, the switch. */
export interface ChainStep {
  chain: number;
  /** Index of `current` among the chain's own tokens; -1 is the generation prompt's last token. */
  index: number;
  current: number;
  /** The tokens before `current`, nearest last. */
  context: number[];
  next: number;
  switchOn: boolean;
}

/** How far the right successor must stand above any other chain row, in the ideal logits. */
const REQUIRED_MARGIN = 12;

interface Row {
  current: Map<number, number>;
  context: Array<Set<number>>;
  toolCall: boolean;
  answer: boolean;
}

/**
 * The designed logit terms add up whatever combination matches (scripted-weights.ts), so two links
 * can together make a wrong row tie the right one even though no context repeats. This recomputes the
 * ideal logits of every chain row at every step and returns the first step whose successor does not
 * lead by REQUIRED_MARGIN, so the planner can split the text differently.
 */
export function weakestStep(links: readonly ChainLink[], steps: readonly ChainStep[]): ChainStep | undefined {
  const rows = new Map<number, Row>();
  for (const link of links) {
    let row = rows.get(link.to);
    if (!row) {
      row = { current: new Map(), context: [], toolCall: false, answer: false };
      rows.set(link.to, row);
    }
    row.current.set(link.from, link.context ? CURRENT_WITH_CONTEXT : CURRENT_ALONE);
    link.context?.toReversed().forEach((token, distance) => {
      const tokens = row.context[distance] ?? new Set<number>();
      row.context[distance] = tokens.add(token);
    });
    if (link.when === "no-tool-result") row.toolCall = true;
    if (link.when === "tool-result") row.answer = true;
  }
  const score = (row: Row, step: ChainStep) => {
    let total = row.current.get(step.current) ?? 0;
    step.context.toReversed().forEach((token, distance) => {
      if (row.context[distance]?.has(token)) total += CONTEXT_STRENGTH;
    });
    if (row.toolCall && !step.switchOn) total += TOOL_CALL_BIAS;
    if (row.answer && step.switchOn) total += SWITCH_SWING;
    return total;
  };
  for (const step of steps) {
    const wanted = score(rows.get(step.next) as Row, step);
    for (const [token, row] of rows) {
      if (token !== step.next && score(row, step) > wanted - REQUIRED_MARGIN) return step;
    }
  }
  return undefined;
}
