import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

/** Names of the KV-cache files Switchyard has llama-server save (`switchyard-<hash>.bin`). */
export const SLOT_FILE_PATTERN = /^switchyard-[0-9a-f]+\.bin$/;

/**
 * Keeps the saved slot files in `directory` within `maxBytes`, deleting the oldest (by modification
 * time) first; other files there are never touched. A slot file holds a lane's whole KV cache (hundreds
 * of MB for a long conversation), and lanes that never come back would otherwise fill the disk.
 * Returns the names deleted.
 */
export async function pruneSlotFiles(directory: string, maxBytes: number): Promise<string[]> {
  const names = (await readdir(directory).catch(() => [] as string[])).filter((name) => SLOT_FILE_PATTERN.test(name));
  const files = (
    await Promise.all(
      names.map(async (name) => {
        const info = await stat(join(directory, name)).catch(() => undefined);
        return info?.isFile() ? { name, bytes: info.size, modified: info.mtimeMs } : undefined;
      }),
    )
  ).filter((file) => file !== undefined);
  files.sort((a, b) => a.modified - b.modified);
  let total = files.reduce((sum, file) => sum + file.bytes, 0);
  const deleted: string[] = [];
  for (const file of files) {
    if (total <= maxBytes) break;
    await unlink(join(directory, file.name)).catch(() => undefined);
    total -= file.bytes;
    deleted.push(file.name);
  }
  return deleted;
}
