import { createRequire } from "node:module";

/** One family as parse-prometheus-text-format returns it (prom2json's shape; numbers stay strings). */
export interface MetricFamily {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: Array<{
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
}

// The package ships CommonJS without type declarations.
export const parsePrometheusText = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => MetricFamily[];
