import { readFile, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { init, type InitOptions } from '../../src/commands/init/index.ts';
import { NeedsAnswerError, UsageError } from '../../src/errors.ts';
import { readJobDescriptor, readJobSecrets, selectJob } from '../../src/journal/jobs.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeTree } from '../staging/tree.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { containerSasToken } from '../engine/stagingFixture.ts';

const KEY = Buffer.alloc(64, 7).toString('base64');
/** fakeDeps' clock. */
const NOW = new Date('2026-11-21T10:00:00Z');
const SUB = '8a4a0a51-728e-482e-8daa-c477f03c541d';
const DATABOX = {
  service: 'databox',
  subscription: SUB,
  resourceGroup: 'rg',
  location: 'westeurope',
} as const;
let staging: string;

beforeEach(async () => {
  staging = tempDir('init');
  await makeTree(staging, {
    'photos/2026/a.jpg': 'a',
    'photos/2025/b.jpg': 'b',
    'docs/c.txt': 'c',
  });
});
afterEach(async () => {
  await rm(staging, { recursive: true, force: true });
});

/** Classic job seed-2026 with `over`; with the storage key a classic job needs unless given one. */
function opts(over: Partial<InitOptions> = {}): InitOptions {
  const credential = 'storageAccountKey' in over || 'containerSas' in over;
  return {
    staging,
    job: 'seed-2026',
    service: 'classic',
    storageAccount: 'mystore',
    container: 'seed',
    blobType: 'auto',
    force: false,
    ...(credential ? {} : { storageAccountKey: KEY }),
    ...over,
  };
}

async function initError(
  over: Partial<InitOptions>,
  env: Record<string, string> = {},
): Promise<UsageError> {
  const { deps } = fakeDeps({ env });
  const err = await init(opts(over), deps).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).message).not.toContain('\n');
  return err as UsageError;
}

describe('diskprep init', () => {
  it('writes the descriptor, prints it with --json, keeps the key only in a 0600 secrets file', async () => {
    const { deps, recorded } = fakeDeps({ json: true });
    await init(
      opts({
        service: 'databox',
        job: 'Seed-2026',
        subscription: SUB.toUpperCase(),
        resourceGroup: 'rg-backup',
        location: 'West Europe',
        prefix: '/server01/2026/',
        data: 'photos',
        storageAccountKey: KEY,
      }),
      deps,
    );
    const expected = {
      version: 1,
      name: 'Seed-2026',
      service: 'databox',
      storageAccount: 'mystore',
      container: 'seed',
      prefix: 'server01/2026',
      subscription: SUB,
      resourceGroup: 'rg-backup',
      location: 'westeurope',
      blobType: 'auto',
      disposition: 'overwrite',
      data: 'photos',
      createdAt: '2026-11-21T10:00:00.000Z',
    };
    expect(recorded.json).toEqual([expected]);
    expect(await readJobDescriptor(deps.fs, staging, 'Seed-2026')).toEqual(expected);
    const descriptorText = await readFile(
      path.join(staging, '.diskprep/jobs/Seed-2026.json'),
      'utf8',
    );
    expect(descriptorText).not.toContain(KEY);
    const secretsFile = path.join(staging, '.diskprep/journal/Seed-2026/secrets.json');
    expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(secretsFile))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(secretsFile, 'utf8'))).toEqual({ storageAccountKey: KEY });
    expect(recorded.stdout.join('\n')).not.toContain(KEY);
    // readJobSecrets registers the key for redaction in a later run.
    const later = fakeDeps();
    expect(await readJobSecrets(later.deps, staging, 'Seed-2026')).toEqual({
      storageAccountKey: KEY,
    });
    expect(later.deps.redactor.redact(`key=${KEY}`)).toBe('key=***');
    expect(await readJobSecrets(later.deps, staging, 'nope')).toEqual({});
  });

  it('takes a container SAS in the documented form, as a token or a URL, and keeps the token', async () => {
    const token = containerSasToken('seed', { now: NOW });
    expect(token).toMatch(/^sv=\d{4}-\d\d-\d\d&/);
    const forms = {
      a: `seed?${token}`, // the Put Job / WAImportExport /csas: form
      b: token,
      c: `?${token}`,
      d: `https://mystore.blob.core.windows.net/seed?${token}`,
    };
    await makeTree(staging, { 'sas-a/1': '1', 'sas-b/1': '1', 'sas-c/1': '1', 'sas-d/1': '1' });
    for (const [job, sas] of Object.entries(forms)) {
      const { deps, recorded } = fakeDeps({ env: { DISKPREP_CONTAINER_SAS: sas } });
      await init(
        opts({ job: `sas-${job}`, data: `sas-${job}`, storageAccountKey: undefined }),
        deps,
      );
      expect(await readJobSecrets(deps, staging, `sas-${job}`)).toEqual({ containerSas: token });
      expect([...recorded.stdout, ...recorded.stderr].join('\n')).not.toContain(
        new URLSearchParams(token).get('sig')!,
      );
    }
  });

  it('refuses a SAS of another container, one that is not a SAS, expired or too short for an import', async () => {
    const token = containerSasToken('seed', { now: NOW });
    const other = await initError({ containerSas: `photos?${token}` });
    expect(other.message).toBe(
      '--container-sas is for container "photos", but the job\'s container is "seed"',
    );
    expect(other.hint).toMatch(/seed\?sv=\.\.\.&sig=\.\.\./);
    expect(other.message + String(other.hint)).not.toContain(token);
    expect((await initError({ containerSas: 'hello' })).message).toMatch(/not a SAS token/);
    const old = containerSasToken('seed', { now: new Date('2020-01-01T00:00:00Z') });
    expect((await initError({ containerSas: old })).message).toMatch(/expired/);
    // A classic manifest carries the SAS to the datacenter: it must outlive the import.
    const short = containerSasToken('seed', { now: NOW, validDays: 20 });
    const e = await initError({ containerSas: `seed?${short}` });
    expect(e.message).toMatch(/^--container-sas expires at .*, in 20 days:/);
    expect(e.hint).toMatch(/at least 60 days/);
    const readOnly = token.replace(/sp=racwdl/, 'sp=rl');
    expect((await initError({ containerSas: readOnly })).message).toMatch(
      /lacks the permissions w, d that an import needs/,
    );
    // A databox manifest carries no SAS: a short one is fine (status, verify-import read logs).
    const { deps } = fakeDeps();
    await init(opts({ ...DATABOX, job: 'box-short', containerSas: short, data: 'docs' }), deps);
    expect(await readJobSecrets(deps, staging, 'box-short')).toEqual({ containerSas: short });
    expect(
      (await initError({ job: 'd', containerSas: token, storageAccountKey: KEY, data: 'docs' }))
        .message,
    ).toMatch(/not both/);
    expect(
      (await initError({ job: 'e', storageAccountKey: 'not a key!', data: 'docs' })).message,
    ).toMatch(/not a storage account key/);
  });

  it('warns about a storage key on a classic drive; says a databox drive carries no credential', async () => {
    const classic = fakeDeps();
    await init(opts({ storageAccountKey: KEY, data: 'photos' }), classic.deps);
    expect(classic.recorded.stderr.join('\n')).toMatch(
      /storage account key goes into the manifest on every drive .* prefer --container-sas <container>\?<sas>/,
    );
    const box = fakeDeps();
    await init(opts({ ...DATABOX, job: 'box', storageAccountKey: KEY, data: 'docs' }), box.deps);
    const said = box.recorded.stderr.join('\n');
    expect(said).toMatch(/a databox job's service is given the storage account by the job itself/);
    expect(said).not.toMatch(/prefer --container-sas/);
    expect(said).not.toContain(KEY);
  });

  it('records --disposition (default overwrite) in the descriptor', async () => {
    const { deps, recorded } = fakeDeps();
    await init(opts({ job: 'keep', disposition: 'no-overwrite', data: 'docs' }), deps);
    expect((await readJobDescriptor(deps.fs, staging, 'keep')).disposition).toBe('no-overwrite');
    expect(recorded.stdout.join('\n')).toMatch(/disposition no-overwrite/);
    await init(opts({ job: 'plain', data: 'photos' }), fakeDeps().deps);
    expect((await readJobDescriptor(deps.fs, staging, 'plain')).disposition).toBe('overwrite');
  });

  it('refuses $root with files in folders, naming every one; takes it with top-level files only', async () => {
    const { deps, recorded } = fakeDeps();
    const err = await init(opts({ container: '$root' }), deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.message).toBe(
      '3 entries in the data of job "seed-2026" cannot be imported; nothing was written',
    );
    expect((e.details!.problems as { path: string }[]).map((p) => p.path)).toEqual([
      'docs/c.txt',
      'photos/2025/b.jpg',
      'photos/2026/a.jpg',
    ]);
    expect(recorded.stderr.join('\n')).toMatch(
      /photos\/2026\/a\.jpg: blob names in the root container \(\$root\) cannot contain "\/"/,
    );
    await expect(stat(path.join(staging, '.diskprep/jobs/seed-2026.json'))).rejects.toThrow();
    await init(opts({ container: '$root', data: 'docs' }), fakeDeps().deps);
    expect((await readJobDescriptor(deps.fs, staging, 'seed-2026')).container).toBe('$root');
  });

  it('human output says where it went and what is next', async () => {
    const { deps, recorded } = fakeDeps();
    await init(opts({ storageAccountKey: KEY }), deps);
    expect(recorded.stdout[0]).toBe('recorded job "seed-2026" (classic) → mystore/seed');
    // Lines fit 80 columns (off a terminal): a long temp path wraps, continuation indented.
    for (const l of recorded.stdout) expect([...l].length).toBeLessThanOrEqual(80);
    expect(recorded.stdout.join('\n').replace(/\n +/g, ' ')).toMatch(
      /secrets .*secrets\.json \(mode 0600\)/,
    );
    expect(recorded.stderr.join('\n')).toMatch(/next: diskprep plan/);
  });

  it('refuses an existing job without --force; --force replaces it and keeps its key', async () => {
    await init(opts({ storageAccountKey: KEY }), fakeDeps().deps);
    expect((await initError({})).message).toMatch(/job "seed-2026" is already recorded/);
    const { deps } = fakeDeps();
    await init(opts({ force: true, container: 'other', storageAccountKey: undefined }), deps);
    expect((await readJobDescriptor(deps.fs, staging, 'seed-2026')).container).toBe('other');
    expect(await readJobSecrets(deps, staging, 'seed-2026')).toEqual({ storageAccountKey: KEY });
  });

  it('refuses a classic job that could never be prepared (no key, no SAS), naming the fix; records nothing', async () => {
    const err = await initError({ storageAccountKey: undefined, data: 'photos' });
    expect(err).toMatchObject({
      code: 'ERR_DISKPREP_NO_CREDENTIAL',
      message: `a classic job's drive manifest carries a storage account key or container SAS, and job "seed-2026" would have neither`,
      hint: 'add --fetch-credential sas (read through Azure), or --container-sas seed?<token> (or DISKPREP_CONTAINER_SAS)',
    });
    await expect(stat(path.join(staging, '.diskprep', 'jobs', 'seed-2026.json'))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('--amend changes the fields given and keeps the rest (descriptor and key); a copied job keeps its container', async () => {
    await init(opts({ ...DATABOX, data: 'photos', disposition: 'rename' }), fakeDeps().deps);
    const { deps, recorded } = fakeDeps();
    const amend = {
      staging,
      job: 'seed-2026',
      amend: true,
      location: 'northeurope',
      blobType: 'auto',
      force: false,
      defaulted: ['service', 'blobType', 'disposition'],
    } as const;
    await init(amend, deps);
    expect(recorded.stdout[0]).toBe('amended job "seed-2026" (databox) → mystore/seed');
    expect(await readJobDescriptor(deps.fs, staging, 'seed-2026')).toMatchObject({
      service: 'databox',
      location: 'northeurope',
      container: 'seed',
      subscription: SUB,
      data: 'photos',
      disposition: 'rename',
    });
    expect(await readJobSecrets(deps, staging, 'seed-2026')).toEqual({ storageAccountKey: KEY });
    // A started copy pins where the data goes.
    const journal = path.join(staging, '.diskprep', 'journal', 'seed-2026');
    await makeTree(journal, {});
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(journal, 'copy-state.json'), '{}');
    const err = await init({ ...amend, container: 'other' }, fakeDeps().deps).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      exitCode: 2,
      message: '--amend: job "seed-2026" has copied data already, so its container cannot change',
    });
    expect((await readJobDescriptor(deps.fs, staging, 'seed-2026')).container).toBe('seed');
    // --amend of a job that is not recorded says so.
    const none = await init({ ...amend, job: 'nope' }, fakeDeps().deps).catch((e: unknown) => e);
    expect(none).toMatchObject({ exitCode: 2, message: `--amend: no job "nope" in ${staging}` });
  });

  it('checks names by the rules of the service', async () => {
    expect((await initError({ job: 'Seed' })).message).toMatch(
      /--job "Seed" is not valid: a classic job name is/,
    );
    expect(
      (
        await initError({
          service: 'importexport',
          job: 'seed_1',
          subscription: SUB,
          resourceGroup: 'rg',
          location: 'eastus',
        })
      ).message,
    ).toMatch(/importexport job name/);
    expect((await initError({ storageAccount: 'My-Store' })).message).toMatch(
      /--storage-account "My-Store" is not valid/,
    );
    expect((await initError({ container: 'a--b' })).message).toMatch(
      /--container "a--b" is not valid/,
    );
    expect((await initError({ prefix: 'x/com1/y' })).message).toMatch(
      /--prefix .*reserved device name/,
    );
    expect((await initError({ subscription: 'nope' })).message).toMatch(/not a subscription id/);
    expect((await initError({ resourceGroup: 'bad/rg' })).message).toMatch(
      /--resource-group "bad\/rg" is not valid/,
    );
    expect((await initError({ location: 'west-europe!' })).message).toMatch(/not an Azure region/);
  });

  it('databox without a subscription and no Azure sign-in: exit 3 naming --subscription', async () => {
    const { deps } = fakeDeps();
    const e = await init(
      opts({ service: 'databox', job: 'seed1', resourceGroup: 'rg' }),
      deps,
    ).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NeedsAnswerError);
    expect((e as NeedsAnswerError).flag).toBe('--subscription');
    expect((e as NeedsAnswerError).hint).toMatch(
      /^pass --subscription \(the candidates could not be listed: cannot get an Azure sign-in token/,
    );
  });

  it('--data must exist inside the staging location, not be .diskprep, not escape through a link', async () => {
    expect((await initError({ data: 'nope' })).message).toMatch(/does not exist/);
    expect((await initError({ data: '..' })).message).toMatch(/outside the staging location/);
    await init(opts({ job: 'first', data: 'docs' }), fakeDeps().deps);
    expect((await initError({ data: '.diskprep' })).message).toMatch(/diskprep's own folder/);
    await symlink('/tmp', path.join(staging, 'tmp-link'));
    expect((await initError({ data: 'tmp-link' })).message).toMatch(/outside the staging location/);
    expect((await initError({ data: 'docs/c.txt' })).message).toMatch(/is not a folder/);
  });

  it('refuses jobs whose data overlap, and says which', async () => {
    await init(opts({ job: 'photos', data: 'photos' }), fakeDeps().deps);
    await init(opts({ job: 'docs', data: 'docs/' }), fakeDeps().deps);
    const sub = await initError({ job: 'photos-2026', data: 'photos/2026' });
    expect(sub.message).toBe(
      'the data of job "photos-2026" (photos/2026) overlaps job "photos" (photos)',
    );
    const all = await initError({ job: 'everything' });
    expect(all.message).toMatch(/overlaps job "docs" \(docs\), "photos" \(photos\)/);
    // A sibling folder whose name merely starts the same does not overlap.
    await makeTree(staging, { 'photos-old/x.jpg': 'x' });
    await init(opts({ job: 'photos-old', data: 'photos-old' }), fakeDeps().deps);
    // With several jobs, selectJob asks (flag --job).
    const { deps } = fakeDeps({ answers: { '--job': 'docs' } });
    expect((await selectJob(deps, staging, undefined)).data).toBe('docs');
  });

  it('a missing staging location is a usage error', async () => {
    expect((await initError({ staging: path.join(staging, 'missing') })).message).toMatch(
      /cannot read staging location/,
    );
  });
});
