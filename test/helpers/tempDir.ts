/**
 * The temp folders of the tests: one helper. A folder is `<parent>/diskprep-<tag>-XXXXXX`
 * (parent: the OS temp dir, or a test's private TMPDIR), removed after the test file has run,
 * except when something is still mounted under it: a volume a test left mounted stays visible
 * (and `rm -r` never deletes through a mount).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];

/** Mount points at or under `dir`. */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** Removes every folder made by {@link tempDir} that has nothing mounted under it. */
function removeAll(): void {
  for (const d of created.splice(0))
    if (mountsUnder(d).length === 0) fs.rmSync(d, { recursive: true, force: true });
}

// Registered when a test file imports this module (each file has its own module graph).
afterAll(removeAll);

/** A fresh, empty temp folder, removed after the test file (see the file comment). */
export function tempDir(tag: string, parent: string = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, `diskprep-${tag}-`));
  created.push(dir);
  return dir;
}
