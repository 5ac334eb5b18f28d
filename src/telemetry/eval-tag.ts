/**
 * Which `switchyard eval run` a request belongs to. The harness has the agent send two headers; the
 * gateway copies them onto the turn record, and the dashboard shows them on the session. A value is
 * kept only when it is short printable ASCII: it ends up in a page and a database, never trusted.
 */
export interface EvalTag {
  /** The run's id: its output folder's name (`--out`). */
  run: string;
  task: string;
}

export const EVAL_RUN_HEADER = "x-switchyard-eval-run";
export const EVAL_TASK_HEADER = "x-switchyard-eval-task";

const PRINTABLE = /^[\x20-\x7e]{1,200}$/;
const clean = (value: unknown): string | undefined =>
  typeof value === "string" && PRINTABLE.test(value.trim()) ? value.trim() : undefined;

/** The tag a request carries, from its (lower-cased) headers; undefined unless the run header is valid. */
export function evalTagFromHeaders(headers: Readonly<Record<string, string | undefined>>): EvalTag | undefined {
  const run = clean(headers[EVAL_RUN_HEADER]);
  return run ? { run, task: clean(headers[EVAL_TASK_HEADER]) ?? "" } : undefined;
}

/** A tag read back from disk or a database, of any version: only the expected shape counts. */
export function readEvalTag(value: unknown): EvalTag | undefined {
  if (typeof value === "string") {
    try {
      return readEvalTag(JSON.parse(value));
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { run, task } = value as Record<string, unknown>;
  const cleanRun = clean(run);
  return cleanRun ? { run: cleanRun, task: clean(task) ?? "" } : undefined;
}

/** The stores' `eval_tag` column: the record's tag as JSON, when it has a valid one. */
export function evalTagColumn(turn: { evalTag?: unknown }): string | null {
  const tag = readEvalTag(turn.evalTag);
  return tag ? JSON.stringify(tag) : null;
}

/**
 * A session row from SQL carries the tag as one nullable column (`evalTag`, JSON); the summary has it
 * only when set, like the in-memory fold, so both sources give equal summaries.
 */
export function withEvalTag<Row extends { evalTag?: unknown }>(row: Row): Row {
  const tag = readEvalTag(row.evalTag);
  const { evalTag: _, ...rest } = row;
  return (tag ? { ...rest, evalTag: tag } : rest) as Row;
}
