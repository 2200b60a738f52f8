/** Shared set-up of the check tests: staging folders with a job, and deps with the real http seam. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHttp } from '../../src/deps/http.ts';
import type { Deps } from '../../src/deps/types.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { fakeDeps, type FakeDepsOptions, type Recorded } from '../helpers/fakeDeps.ts';

/** A staging folder with some data and (optionally) one job descriptor. */
export async function makeStaging(job?: Partial<JobDescriptor>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-check-stg-'));
  await mkdir(path.join(dir, 'data', 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'data', 'a.AIBBlob'), Buffer.alloc(4096, 1));
  await writeFile(path.join(dir, 'data', 'sub', 'b.txt'), 'hello');
  if (job) {
    await mkdir(path.join(dir, '.diskprep', 'jobs'), { recursive: true });
    const full: JobDescriptor = {
      version: 1,
      name: 'job1',
      service: 'databox',
      storageAccount: 'acct1',
      container: 'backup',
      blobType: 'auto',
      createdAt: '2026-11-01T00:00:00Z',
      ...job,
    };
    await writeFile(path.join(dir, '.diskprep', 'jobs', `${full.name}.json`), JSON.stringify(full));
  }
  return dir;
}

/** Stub deps (recording output) with the production http seam over `env`, `--proxy` and a CA. */
export function depsWithHttp(options: FakeDepsOptions & { proxy?: string; ca?: string }): {
  deps: Deps;
  recorded: Recorded;
} {
  const env = options.env ?? {};
  const { deps, recorded } = fakeDeps({ now: new Date(), ...options, env });
  deps.http = createHttp({ proxy: options.proxy, ca: options.ca, env });
  return { deps, recorded };
}
