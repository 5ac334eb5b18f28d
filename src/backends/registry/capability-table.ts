import type { BackendCapabilities } from "./backend-kind.js";
import { BACKEND_KINDS } from "./backend-registry.js";

const yesNo = (value: boolean) => (value ? "yes" : "no");

function cacheCell(reporting: BackendCapabilities["cacheReporting"]): string {
  if (reporting === "always") return "always";
  if (reporting === "when-sent") return "when the API sends it, else unknown";
  if (reporting === "never") return "never (unknown)";
  return `with \`${reporting.flag}\`, else unknown`;
}

/** The README's table of what works per backend, one row per kind. */
export function capabilityTable() {
  const rows = BACKEND_KINDS.map(({ kind, capabilities: flags }) => {
    const counts = flags.exactCounts ? "exact" : "estimate (labelled)";
    return `| ${flags.label} | \`${kind}\` | ${yesNo(flags.streaming)} | ${yesNo(flags.tools)} | ${yesNo(flags.thinking)} | ${cacheCell(flags.cacheReporting)} | ${counts} |`;
  });
  return [
    "| backend | `type` | streaming | tools | thinking | cache reuse reported | count_tokens |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
