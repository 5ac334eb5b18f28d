import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * The dashboard's own files sit next to this module in `static/` (src/ under tsx, dist/ once the build
 * has copied them); uPlot is served from the installed package, wherever npm put it.
 */
const STATIC_DIRECTORY = join(import.meta.dirname, "static");
/** Plain names only: nothing outside the directory can be named. */
const OWN_FILE = /^[a-z][a-z-]*\.(?:html|js|css)$/;
const require = createRequire(import.meta.url);
const VENDOR_FILES: Record<string, string> = {
  "uPlot.iife.min.js": require.resolve("uplot/dist/uPlot.iife.min.js"),
  "uPlot.min.css": require.resolve("uplot/dist/uPlot.min.css"),
};

export interface Asset {
  contentType: string;
  body: Buffer;
}

const cache = new Map<string, Promise<Asset>>();

/** The asset served as `/dashboard/static/<name>`; undefined for names that cannot be ours, a rejection for missing files. */
export function dashboardAsset(name: string): Promise<Asset> | undefined {
  const path = VENDOR_FILES[name] ?? (OWN_FILE.test(name) ? join(STATIC_DIRECTORY, name) : undefined);
  if (path === undefined) return undefined;
  let asset = cache.get(name);
  if (!asset) {
    const extension = name.slice(name.lastIndexOf("."));
    asset = readFile(path).then((body) => ({
      contentType: CONTENT_TYPES[extension] ?? "application/octet-stream",
      body,
    }));
    // A failed read (files missing from a broken install) is retried next time rather than cached.
    asset.catch(() => cache.delete(name));
    cache.set(name, asset);
  }
  return asset;
}
