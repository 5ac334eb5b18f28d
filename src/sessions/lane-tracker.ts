import type { CanonicalRequest, Usage } from "../core/canonical.js";
import type { TurnFacts } from "../core/turn-facts.js";
import { familyById } from "../families/model-families.js";
import type { Lane } from "./lane.js";
import { type Divergence, findDivergence } from "./prefix-diff.js";
import type { SessionTable } from "./session-table.js";
import { trailingNoteBytes } from "./turn-note.js";

export interface CacheMiss {
  reason:
    | "prompt-changed"
    | "slot-reassigned"
    | "backend-changed"
    | "cache-emptied"
    | "template-rerenders"
    | "prefix-not-reused";
  /** One sentence a person can act on. */
  explanation: string;
  divergence?: Divergence;
}

export interface CacheAnalysis {
  /**
   * Prompt tokens the backend could have reused: the previous turn's prompt, when this one extends it (a
   * floor when that prompt ended with a per-request note, `repeatedTokens`).
   */
  expectedReuse: number | undefined;
  miss: CacheMiss | undefined;
}

/** Tokens of slack for a tokenizer boundary where the new turn joins the old prompt. */
const BOUNDARY_SLACK = 4;

/** Tokens a chat template wraps a message in (role markers, separators), at most, in the families known. */
const MESSAGE_FRAMING = 8;

/**
 * What of a lane's previous prompt the next one repeats, in tokens: all of it, less the per-request note
 * it ended with (`turn-note.ts`), which the next request replaces. The note's tokens are bounded by its
 * bytes, so this is a floor when there was a note. When the next request goes on with a message other
 * than the previous answer (the client dropped it: Codex's compaction replaces it with a summary as a user
 * message), the previous prompt's generation prompt (`<|im_start|>assistant\n<think>\n`) is not repeated
 * either.
 */
function repeatedTokens(
  previous: { request: CanonicalRequest; promptTokens: number },
  current: CanonicalRequest,
): number {
  const noteBytes = trailingNoteBytes(previous.request);
  const next = current.messages[previous.request.messages.length];
  const answerDropped = next !== undefined && next.role !== "assistant";
  const dropped = noteBytes > 0 ? noteBytes + MESSAGE_FRAMING : answerDropped ? MESSAGE_FRAMING : 0;
  return Math.max(0, previous.promptTokens - dropped);
}

/**
 * Judges each completed turn against its lane's last one in the session table: how much of its prompt
 * should have come from the cache, and, when less did, why. Holds nothing itself: a lane is forgotten
 * when the table forgets its session, together with routing's memory of it.
 */
export class LaneTracker {
  constructor(private readonly table: SessionTable) {}

  analyze(lane: Lane, request: CanonicalRequest, backend: string, usage: Usage, details: TurnFacts): CacheAnalysis {
    const entry = this.table.lane(lane);
    const previous = entry.lastTurn;
    const promptTokens = usage.inputTokens + usage.cacheReadTokens;
    entry.lastTurn = { request, promptTokens, backend, server: details.server?.id };
    if (!previous) return { expectedReuse: undefined, miss: undefined };
    if (previous.backend !== backend) {
      return {
        expectedReuse: 0,
        miss: {
          reason: "backend-changed",
          explanation: `this lane moved from ${previous.backend} to ${backend}, whose cache holds none of its prompt`,
        },
      };
    }
    // The server seen started again or emptied since the lane's last turn, and the lane's prompt not
    // reused: that is why. (Seen late, by a check after the lane's first turn on the new server had
    // filled its cache again, it explains nothing, and the turn is judged as any other.)
    // A backend that does not say what it reused (Ollama; vLLM without --enable-prompt-tokens-details)
    // gives nothing to judge the prompt by.
    const reported = !usage.unreported?.includes("cacheReadTokens");
    const repeated = repeatedTokens(previous, request);
    const reusedAll = reported && usage.cacheReadTokens >= repeated - BOUNDARY_SLACK;
    if (previous.server !== undefined && details.server && previous.server !== details.server.id && !reusedAll) {
      if (details.server.emptied)
        return {
          expectedReuse: 0,
          miss: {
            reason: "cache-emptied",
            explanation: `the server behind ${backend} ${details.server.emptied} since this lane's last turn, which emptied its cache of the lane's prompt`,
          },
        };
      return {
        expectedReuse: 0,
        miss: {
          reason: "backend-changed",
          explanation: `the server behind ${backend} was started again as ${details.server.described} since this lane's last turn; its cache holds none of the lane's prompt`,
        },
      };
    }
    const divergence = findDivergence(previous.request, request);
    if (divergence) {
      return {
        expectedReuse: undefined,
        miss: {
          reason: "prompt-changed",
          explanation: `the prompt no longer extends the previous turn's: ${divergence.path} changed, so everything from there on was prefilled again`,
          divergence,
        },
      };
    }
    const expectedReuse = repeated;
    // Not reported: no miss rather than a false one.
    if (!reported || reusedAll) return { expectedReuse, miss: undefined };
    if (details.slotReassigned) {
      return {
        expectedReuse,
        miss: {
          reason: "slot-reassigned",
          explanation: details.displacedBy
            ? `this lane's slot was taken by ${details.displacedBy}; it ran on slot ${details.slot} without its prefix (unless the RAM prompt cache held it)`
            : `this lane had no slot of its own; it ran on slot ${details.slot}`,
        },
      };
    }
    if (details.templateAppendOnly === false) {
      return {
        expectedReuse,
        miss: {
          reason: "template-rerenders",
          explanation: templateRerendersExplanation(details.templateFamily),
        },
      };
    }
    return {
      expectedReuse,
      miss: {
        reason: "prefix-not-reused",
        explanation: `the backend reused ${usage.cacheReadTokens} of ${expectedReuse} expected tokens on the lane's own slot: the model cannot reuse part of a prefix (hybrid or sliding-window without checkpoints), the context was shifted, or the prefix was evicted`,
      },
    };
  }
}

/** Why a template re-renders, by family name when the family is known, with what to do instead. */
function templateRerendersExplanation(familyId: string | undefined): string {
  const family = familyById(familyId);
  if (family && family.appendOnly !== true) {
    return `${family.name}'s chat template is not append-only: ${family.appendOnly.breaks}; ${family.appendOnly.instead}`;
  }
  return `the backend's chat template${family ? ` (${family.name})` : ""} renders earlier turns differently once a new user query arrives (probed); give llama-server an append-only template (switchyard doctor shows how)`;
}
