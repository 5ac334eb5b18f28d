export type FindingLevel = "ok" | "warn" | "fail" | "info";

export interface Finding {
  level: FindingLevel;
  /** What was checked. */
  check: string;
  /** What was found. */
  detail: string;
  /** What to change, when something should change. */
  fix?: string;
}

export function formatFindings(title: string, findings: readonly Finding[]): string {
  const mark: Record<FindingLevel, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL", info: "info" };
  const lines = [title, ...findings.map((finding) => `  [${mark[finding.level]}] ${finding.check}: ${finding.detail}`)];
  const fixes = findings.filter((finding) => finding.fix);
  if (fixes.length > 0) {
    lines.push("", "What to change:");
    for (const finding of fixes) lines.push(`  - ${finding.fix}`);
  }
  return lines.join("\n");
}
