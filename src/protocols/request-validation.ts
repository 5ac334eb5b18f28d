import type { z } from "zod";
import { invalidRequest } from "../core/errors.js";

/**
 * A zod issue list as one line a person can act on: `messages.2.content.0.type: …`. A union (content
 * is `string | part[]`) hides the useful issue in the branch that got furthest, so that one is shown.
 * `at`: where the checked value sits in the body, for a part checked on its own.
 */
export function describeIssues(error: z.ZodError, at: PropertyKey[] = []): string {
  const lines: string[] = [];
  const describe = (issue: z.core.$ZodIssue, prefix: PropertyKey[]) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branches = issue.errors.filter(
        (branch) => !branch.every((inner) => inner.code === "invalid_type" && inner.path.length === 0),
      );
      const chosen = branches[0];
      if (chosen) {
        for (const inner of chosen) describe(inner, path);
        return;
      }
    }
    lines.push(`${path.length > 0 ? path.map(String).join(".") : "body"}: ${issue.message}`);
  };
  for (const issue of error.issues.slice(0, 5)) describe(issue, at);
  return lines.slice(0, 5).join("; ");
}

/** Request headers with lower-case names and repeated values joined, as the canonical request keeps them. */
export function normalizeHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  return out;
}

/** A part of the body checked on its own (`at`: where it sits), or an invalid_request error naming the field. */
export function checkPart<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  at: PropertyKey[],
): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error, at));
  return parsed.data;
}
