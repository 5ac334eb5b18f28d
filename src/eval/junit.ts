/** Passed / total from a JUnit XML report: the `<testcase>` elements, failed when they hold a failure, error or skip. */
export function junitRatio(xml: string): { passed: number; total: number } | undefined {
  let total = 0;
  let passed = 0;
  const testcase = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(testcase)) {
    total++;
    const body = match[2] ?? "";
    if (!/<(failure|error|skipped)\b/.test(body)) passed++;
  }
  return total === 0 ? undefined : { passed, total };
}

/** The last `score=<number>` line of a score command's output, as a fraction in [0, 1]. */
export function scoreLine(output: string): number | undefined {
  const matches = [...output.matchAll(/^score=([0-9]*\.?[0-9]+)\s*$/gm)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const value = Number(last[1]);
  return value >= 0 && value <= 1 ? value : undefined;
}
