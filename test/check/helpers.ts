/** Shared set-up of the check tests: the job and data of their staging locations, and deps with the real http seam. */
import { createHttp } from '../../src/deps/http.ts';
import type { Deps } from '../../src/deps/types.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { fakeDeps, type FakeDepsOptions, type Recorded } from '../helpers/fakeDeps.ts';
import { makeStaging } from '../helpers/staging.ts';

/** The data of a check test's staging location. */
export const CHECK_DATA = {
  'data/a.AIBBlob': Buffer.alloc(4096, 1),
  'data/sub/b.txt': 'hello',
};

/** A Data Box job descriptor (job1, acct1/backup) with `over` on top. */
export function checkJob(over: Partial<JobDescriptor> = {}): Partial<JobDescriptor> {
  return {
    name: 'job1',
    service: 'databox',
    storageAccount: 'acct1',
    container: 'backup',
    blobType: 'auto',
    createdAt: '2026-11-01T00:00:00Z',
    ...over,
  };
}

/** A staging location with {@link CHECK_DATA} and a Data Box job of `subscription` (rg1, westus). */
export function databoxStaging(subscription: string): string {
  return makeStaging(
    [
      checkJob({
        service: 'databox',
        subscription,
        resourceGroup: 'rg1',
        location: 'westus',
        data: 'data',
      }),
    ],
    CHECK_DATA,
  );
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
