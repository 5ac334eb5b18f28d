import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeSparseGguf } from "../gguf/gguf-writer.js";
import { type RealShapeName, realShapeHeader } from "./real-model-shapes.js";

/** Writes (once) the header-only sparse GGUF of a real shape into `directory`; returns its path. */
export function ensureSparseModel(directory: string, name: RealShapeName): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${name}.sparse.gguf`);
  if (!existsSync(path)) writeSparseGguf(path, realShapeHeader(name));
  return path;
}
