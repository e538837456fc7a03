import { readdir } from 'node:fs/promises';
import path from 'node:path';

const SKIP = new Set(['node_modules', '.git', '.data', 'artifacts', 'cache', 'lib/generated']);

/** Files under `root` (relative paths) whose name matches `pattern`, skipping build and data folders. */
export async function findFiles(root: string, pattern: RegExp, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (SKIP.has(child) || SKIP.has(entry.name)) continue;
    if (entry.isDirectory()) out.push(...(await findFiles(root, pattern, child)));
    else if (pattern.test(entry.name)) out.push(child);
  }
  return out.sort();
}
