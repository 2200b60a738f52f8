/** Builds staging trees on the real file system for the staging tests. */
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A tree entry: file content, a sparse size, a symlink target, or a folder. */
export type TreeEntry = string | Buffer | { size: number } | { link: string } | { dir: true };

/** Creates `entries` (paths `/`-separated) under `root`. */
export async function makeTree(root: string, entries: Record<string, TreeEntry>): Promise<void> {
  for (const [rel, e] of Object.entries(entries)) {
    const abs = path.join(root, ...rel.split('/'));
    await mkdir(path.dirname(abs), { recursive: true });
    if (typeof e === 'string' || Buffer.isBuffer(e)) await writeFile(abs, e);
    else if ('size' in e) {
      // Sparse: big sizes cost no disk space.
      await writeFile(abs, '');
      await truncate(abs, e.size);
    } else if ('link' in e) await symlink(e.link, abs);
    else await mkdir(abs, { recursive: true });
  }
}
