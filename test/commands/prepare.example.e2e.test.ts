import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';

describe('npm run example (scripts/example.mjs on the built binary)', () => {
  it('prepares and verifies the built-in example in a temp dir, leaving the repository untouched', async () => {
    const before = fs
      .readdirSync(path.join(REPO_ROOT, 'examples/staging/.diskprep/journal/example'))
      .sort();
    const r = await execa(process.execPath, [path.join(REPO_ROOT, 'scripts/example.mjs')], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stderr).toContain('every file matches its manifest');
    expect(r.stdout).toMatch(/5 files, .* checked; manifest MD5 [0-9A-F]{32} matches the journal/);
    expect(r.stderr).not.toContain('111111-222222');
    const work = /rm -rf (\S+)/.exec(String(r.stdout))![1]!;
    try {
      const manifest = fs.readFileSync(path.join(work, 'drive', 'DriveManifest.xml'), 'utf8');
      expect(manifest).toContain(
        '<BlobPath>azurebackup/example-seed/Photos/été 2026/café – crème.txt</BlobPath>',
      );
      expect(manifest).toContain('<PageRangeList>');
      expect(
        fs.readdirSync(path.join(REPO_ROOT, 'examples/staging/.diskprep/journal/example')).sort(),
      ).toEqual(before);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
