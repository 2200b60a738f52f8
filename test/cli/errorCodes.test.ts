/** Every error code diskprep can put in a `--json` error document is named in README "JSON output". */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}

describe('error codes', () => {
  it('each ERR_DISKPREP_* in src is documented in README', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## JSON output'));
    const codes = new Set(
      sources(join(REPO_ROOT, 'src')).flatMap((t) => t.match(/ERR_DISKPREP_[A-Z_]+/g) ?? []),
    );
    expect(codes.size).toBeGreaterThan(20);
    const missing = [...codes].filter(
      (c) =>
        !section.includes(`\`${c}\``) &&
        !section.includes(`\`${c.slice('ERR_DISKPREP_'.length)}\``),
    );
    expect(missing).toEqual([]);
  });
});
