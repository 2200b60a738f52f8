import * as fs from 'node:fs/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../../src/errors.ts';
import { readJsonFile } from '../../src/fsutil/readJsonFile.ts';

const Schema = z.object({ n: z.number() });
const damaged = { what: 'the record', hint: 'delete it' };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dp-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readJsonFile', () => {
  it('is undefined for an absent file and the parsed data for a good one', async () => {
    expect(await readJsonFile(fs, path.join(dir, 'none.json'), Schema, damaged)).toBeUndefined();
    await writeFile(path.join(dir, 'ok.json'), '{"n": 3}');
    expect(await readJsonFile(fs, path.join(dir, 'ok.json'), Schema, damaged)).toEqual({ n: 3 });
  });

  it('throws one usage error with the fix for torn JSON and for the wrong shape', async () => {
    await writeFile(path.join(dir, 'torn.json'), '{"n": 3');
    await writeFile(path.join(dir, 'shape.json'), '{"n": "three"}');
    for (const f of ['torn.json', 'shape.json']) {
      const err = await readJsonFile(fs, path.join(dir, f), Schema, damaged).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect(err).toMatchObject({ hint: 'delete it', exitCode: 2 });
      expect((err as Error).message).toContain(`the record ${path.join(dir, f)} is`);
    }
  });

  it('names the field that breaks the schema', async () => {
    await writeFile(path.join(dir, 'field.json'), '{"n": "three"}');
    await expect(readJsonFile(fs, path.join(dir, 'field.json'), Schema, damaged)).rejects.toThrow(
      /is invalid: n: /,
    );
  });

  it('refuses a folder with a usage error instead of reading it', async () => {
    await expect(readJsonFile(fs, dir, Schema, damaged)).rejects.toMatchObject({
      exitCode: 2,
      message: `the record ${dir} is a folder, not a regular file`,
    });
  });
});
