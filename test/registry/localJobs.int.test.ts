import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jobsAwaitingShipment,
  localHome,
  readLocalJobs,
  recordLocalJob,
} from '../../src/registry/localJobs.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('local job registry', () => {
  it('places the file per platform', () => {
    expect(
      localHome({ env: { APPDATA: 'C:\\Users\\op\\AppData\\Roaming' }, platform: 'win32' }),
    ).toBe('C:\\Users\\op\\AppData\\Roaming\\diskprep');
    expect(localHome({ env: { HOME: '/home/op' }, platform: 'linux' })).toBe(
      '/home/op/.config/diskprep',
    );
    expect(localHome({ env: { HOME: '/home/op', XDG_CONFIG_HOME: '/x' }, platform: 'linux' })).toBe(
      '/x/diskprep',
    );
    expect(localHome({ env: { DISKPREP_HOME: '/d' }, platform: 'win32' })).toBe('/d');
  });

  it('records, replaces by name and staging, and lists jobs awaiting shipment newest first', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'dp-home-'));
    dirs.push(home);
    const { deps } = fakeDeps({ env: { DISKPREP_HOME: home } });
    expect(await readLocalJobs(deps)).toEqual([]);
    await recordLocalJob(deps, {
      name: 'a',
      service: 'classic',
      staging: '/s1',
      createdAt: '2026-11-01T00:00:00Z',
    });
    await recordLocalJob(deps, {
      name: 'b',
      service: 'databox',
      staging: '/s2',
      createdAt: '2026-11-02T00:00:00Z',
    });
    await recordLocalJob(deps, {
      name: 'c',
      service: 'offline',
      staging: '/s3',
      createdAt: '2026-11-03T00:00:00Z',
    });
    await recordLocalJob(deps, {
      name: 'a',
      service: 'classic',
      staging: '/s1',
      createdAt: '2026-11-01T00:00:00Z',
      shippedAt: '2026-11-05T00:00:00Z',
    });
    expect((await readLocalJobs(deps)).map((j) => j.name)).toEqual(['b', 'c', 'a']);
    expect((await jobsAwaitingShipment(deps)).map((j) => j.name)).toEqual(['b']);
    const text = await readFile(path.join(home, 'jobs.json'), 'utf8');
    expect(JSON.parse(text).version).toBe(1);
  });

  it('refuses a corrupt file with one usage error instead of forgetting the jobs it lists', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'dp-home-'));
    dirs.push(home);
    const file = path.join(home, 'jobs.json');
    await writeFile(file, '{not json');
    const { deps } = fakeDeps({ env: { DISKPREP_HOME: home } });
    await expect(readLocalJobs(deps)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(`this computer's job list ${file} is not valid JSON`),
    });
    // Recording does not overwrite it either: the jobs it held would be lost.
    await expect(
      recordLocalJob(deps, {
        name: 'x',
        service: 'classic',
        staging: '/s',
        createdAt: '2026-11-21T00:00:00Z',
      }),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(await readFile(file, 'utf8')).toBe('{not json');
  });

  it('names the field of a job that breaks the rules it was written with', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'dp-home-'));
    dirs.push(home);
    const file = path.join(home, 'jobs.json');
    const job = {
      name: '../x',
      service: 'classic',
      staging: '/s',
      createdAt: '2026-11-21T00:00:00Z',
    };
    await writeFile(file, JSON.stringify({ version: 1, jobs: [job] }));
    const { deps } = fakeDeps({ env: { DISKPREP_HOME: home } });
    await expect(readLocalJobs(deps)).rejects.toThrow(
      `this computer's job list ${file} is invalid: jobs.0.name: must be a job name`,
    );
  });
});
