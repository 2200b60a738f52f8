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

  it('treats a corrupt file as empty instead of failing', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'dp-home-'));
    dirs.push(home);
    await writeFile(path.join(home, 'jobs.json'), '{not json');
    const { deps } = fakeDeps({ env: { DISKPREP_HOME: home } });
    expect(await readLocalJobs(deps)).toEqual([]);
    await recordLocalJob(deps, { name: 'x', service: 'classic', staging: '/s', createdAt: 'now' });
    expect((await readLocalJobs(deps)).map((j) => j.name)).toEqual(['x']);
  });
});
